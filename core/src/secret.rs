//! How secrets enter certkeeper.
//!
//! A passphrase or password is never taken from the command line, where other users can read it in the
//! process list and the shell keeps it in its history. It comes from a prompt or from a file the user
//! names. Either way it lives in a [`SecretString`]: zeroized when dropped, `[REDACTED]` in `Debug`.

use std::io::Read;
use std::path::Path;

pub use secrecy::{ExposeSecret, SecretString};
use zeroize::{Zeroize, Zeroizing};

use crate::error::SecretFileError;

/// The largest secret file accepted. Passphrases are short; a bigger file is the wrong file, and
/// reading it whole into memory would be pointless.
pub const MAX_SECRET_FILE_BYTES: u64 = 4096;

/// Reads a passphrase or password from `path`.
///
/// The file holds the secret as UTF-8 text. One trailing line ending (`\n` or `\r\n`) is removed,
/// because `echo secret > file` and most editors add one; any other whitespace is part of the secret.
/// A file readable by other users is accepted (drives formatted with FAT show every file so), but a
/// warning is logged so the user can tighten it.
pub fn read_secret_file(path: &Path) -> Result<SecretString, SecretFileError> {
    let unreadable = |source| SecretFileError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let metadata = file.metadata().map_err(unreadable)?;
    if metadata.len() > MAX_SECRET_FILE_BYTES {
        return Err(SecretFileError::TooLarge {
            path: path.to_path_buf(),
            size: metadata.len(),
            limit: MAX_SECRET_FILE_BYTES,
        });
    }
    warn_if_readable_by_others(path, &metadata);

    let mut bytes = Zeroizing::new(Vec::with_capacity(metadata.len() as usize + 1));
    // Read one byte past the limit so that a file that grew after `metadata` is still refused.
    file.by_ref()
        .take(MAX_SECRET_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_SECRET_FILE_BYTES {
        return Err(SecretFileError::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            limit: MAX_SECRET_FILE_BYTES,
        });
    }
    strip_one_line_ending(&mut bytes);
    if bytes.is_empty() {
        return Err(SecretFileError::Empty {
            path: path.to_path_buf(),
        });
    }
    match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(text) => Ok(SecretString::from(text)),
        Err(not_text) => {
            not_text.into_bytes().zeroize();
            Err(SecretFileError::NotText {
                path: path.to_path_buf(),
            })
        }
    }
}

fn strip_one_line_ending(bytes: &mut Vec<u8>) {
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path, metadata: &std::fs::Metadata) {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(
            path = %path.display(),
            mode = format_args!("{:o}", mode & 0o777),
            "secret file can be read by other users; `chmod 600` it"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path, _metadata: &std::fs::Metadata) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret_file(contents: &[u8]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        std::io::Write::write_all(&mut file, contents).expect("write temp file");
        file
    }

    #[test]
    fn one_trailing_line_ending_is_not_part_of_the_secret() {
        for (contents, expected) in [
            (&b"correct horse\n"[..], "correct horse"),
            (b"correct horse\r\n", "correct horse"),
            (b"correct horse", "correct horse"),
            (b"  spaces kept \n\n", "  spaces kept \n"),
            ("пароль на флешке\n".as_bytes(), "пароль на флешке"),
        ] {
            let file = secret_file(contents);
            let secret = read_secret_file(file.path()).expect("readable secret");
            assert_eq!(secret.expose_secret(), expected);
        }
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let file = secret_file(b"hunter2\n");
        let secret = read_secret_file(file.path()).expect("readable secret");
        let shown = format!("{secret:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn empty_file_is_refused() {
        for contents in [&b""[..], b"\n", b"\r\n"] {
            let file = secret_file(contents);
            let error = read_secret_file(file.path()).expect_err("empty secret");
            assert!(matches!(error, SecretFileError::Empty { .. }), "{error:?}");
        }
    }

    #[test]
    fn binary_file_is_refused_without_echoing_its_bytes() {
        let file = secret_file(&[&[0xff, 0xfe][..], b"marker-of-the-secret"].concat());
        let error = read_secret_file(file.path()).expect_err("binary secret");
        assert!(
            matches!(error, SecretFileError::NotText { .. }),
            "{error:?}"
        );
        assert!(!format!("{error:?} {error}").contains("marker-of-the-secret"));
    }

    #[test]
    fn oversized_file_is_refused() {
        let file = secret_file(&vec![b'a'; MAX_SECRET_FILE_BYTES as usize + 1]);
        let error = read_secret_file(file.path()).expect_err("oversized secret");
        assert!(
            matches!(error, SecretFileError::TooLarge { size, limit, .. } if size == limit + 1),
            "{error:?}"
        );
    }

    #[test]
    fn missing_file_names_the_path() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("absent");
        let error = read_secret_file(&path).expect_err("missing file");
        assert!(matches!(error, SecretFileError::Unreadable { .. }));
        assert!(error.to_string().contains("absent"));
    }
}
