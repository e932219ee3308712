//! Files written whole or not at all: every file certkeeper writes for a person (a decrypted document,
//! an exported key, a calendar, the settings) goes through [`write_whole`], so a crash, a full disk or
//! a Stop never leaves half a file, and never a temporary file, behind.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The target exists and is not to be replaced.
    #[error("{} exists already", path.display())]
    Exists {
        /// The target.
        path: PathBuf,
    },
    /// Writing failed (no space, no permission, the folder vanished).
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The target.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Reading failed.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Not a regular file (a FIFO, a device, a socket): never opened, as reading it may block for
    /// ever or never end.
    #[error("{} is not a regular file ({kind}) and is not read", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is.
        kind: &'static str,
    },
    /// Larger than anything of its kind can be.
    #[error("{} is larger than {max} bytes and is not read", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The most that is read of a file of its kind.
        max: u64,
    },
}

/// What a file system entry is, for a person: "a FIFO", "a device", …; `None` for a regular file
/// or a folder.
pub fn special_kind(file_type: &std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() || file_type.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a FIFO");
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return Some("a device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some("neither a file nor a folder")
}

/// Opens `path` (a link to a file included) for reading only when it is a regular file: FIFOs,
/// devices and sockets are refused before they are opened, the open never blocks, and what was
/// opened is checked again.
pub fn open_regular(path: &Path) -> Result<File, FileError> {
    let read_error = |source| FileError::Read {
        path: path.to_path_buf(),
        source,
    };
    let not_regular = |file_type: &std::fs::FileType| {
        special_kind(file_type).map(|kind| FileError::NotRegular {
            path: path.to_path_buf(),
            kind,
        })
    };
    let metadata = std::fs::metadata(path).map_err(read_error)?;
    if let Some(refused) = not_regular(&metadata.file_type()) {
        return Err(refused);
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // O_NONBLOCK: a FIFO put in the file's place after the check above still cannot hang the open.
    #[cfg(target_os = "linux")]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, 0o4000);
    let file = options.open(path).map_err(read_error)?;
    let opened = file.metadata().map_err(read_error)?;
    if let Some(refused) = not_regular(&opened.file_type()) {
        return Err(refused);
    }
    if opened.is_dir() {
        return Err(FileError::NotRegular {
            path: path.to_path_buf(),
            kind: "a folder",
        });
    }
    Ok(file)
}

/// The bytes of the regular file `path`, at most `max` of them ([`open_regular`]; the length is
/// checked while reading, not trusted from the file system).
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, FileError> {
    use std::io::Read;
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| FileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > max {
        return Err(FileError::TooLarge {
            path: path.to_path_buf(),
            max,
        });
    }
    Ok(bytes)
}

/// Folders already walked, by device and inode, so that a link back up the tree (or five links to
/// `.`) is followed once, not for ever.
#[derive(Debug, Default)]
pub struct Visited {
    #[cfg(unix)]
    seen: std::collections::HashSet<(u64, u64)>,
}

impl Visited {
    /// Whether the folder with `metadata` is walked for the first time (and marks it walked).
    pub fn first_time(&mut self, metadata: &std::fs::Metadata) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            self.seen.insert((metadata.dev(), metadata.ino()))
        }
        #[cfg(not(unix))]
        {
            let _ = metadata;
            true
        }
    }
}

/// How a file is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mode {
    /// Readable by its owner only (a key, a decrypted document).
    pub private: bool,
    /// An existing file is replaced (settings, a calendar); otherwise it is an error and stays.
    pub replace: bool,
}

impl Mode {
    /// A new file for the owner only, never replacing one.
    pub const PRIVATE_NEW: Self = Self {
        private: true,
        replace: false,
    };
    /// A new file, never replacing one.
    pub const NEW: Self = Self {
        private: false,
        replace: false,
    };
    /// A file that replaces its previous version whole.
    pub const REPLACE: Self = Self {
        private: false,
        replace: true,
    };
}

/// A temporary name beside `path` (same folder, so the final rename stays on one file system).
pub fn temporary_beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|name| name.to_os_string())
        .unwrap_or_default();
    name.push(format!(".certkeeper-{}.{suffix}", std::process::id()));
    path.with_file_name(name)
}

/// Writes `path` through `fill`: into a temporary file beside it, synced, then renamed onto `path`.
/// When `fill` or anything after it fails, the temporary file is removed and `path` is as it was.
pub fn write_whole<T, E>(
    path: &Path,
    mode: Mode,
    fill: impl FnOnce(&mut BufWriter<File>) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<FileError>,
{
    let exists = || FileError::Exists {
        path: path.to_path_buf(),
    };
    let failed = |source| FileError::Write {
        path: path.to_path_buf(),
        source,
    };
    if !mode.replace && taken(path) {
        return Err(exists().into());
    }
    let temporary = temporary_beside(path, "part");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if mode.private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    let file = options.open(&temporary).map_err(failed)?;
    let result = (|| {
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        let value = fill(&mut writer)?;
        let file = writer
            .into_inner()
            .map_err(|error| failed(error.into_error()))?;
        file.sync_all().map_err(failed)?;
        drop(file);
        if !mode.replace && taken(path) {
            return Err(exists().into());
        }
        std::fs::rename(&temporary, path).map_err(failed)?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// Creates `folder` and its missing parents for their owner only (700: umask can only take bits
/// away, so never readable by others); folders already there stay as they are.
pub fn create_private_folders(folder: &Path) -> Result<(), FileError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder).map_err(|source| FileError::Write {
        path: folder.to_path_buf(),
        source,
    })
}

/// Whether anything, a dangling link included, has the name `path`.
pub fn taken(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Writes a folder of files (a key container) whole or not at all, for its owner only: a temporary
/// folder beside `folder` (700) gets the files (600, each synced), then takes `folder`'s name. `folder`
/// must not exist; its parent must.
pub fn write_private_folder<'n, 'b>(
    folder: &Path,
    files: impl IntoIterator<Item = (&'n str, &'b [u8])>,
) -> Result<(), FileError> {
    let failed = |source| FileError::Write {
        path: folder.to_path_buf(),
        source,
    };
    if taken(folder) {
        return Err(FileError::Exists {
            path: folder.to_path_buf(),
        });
    }
    let temporary = temporary_beside(folder, "part");
    let builder = {
        #[cfg_attr(not(unix), expect(unused_mut, reason = "the mode is a Unix one"))]
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
    };
    builder.create(&temporary).map_err(failed)?;
    let result = (|| {
        for (name, bytes) in files {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(temporary.join(name)).map_err(failed)?;
            file.write_all(bytes).map_err(failed)?;
            file.sync_all().map_err(failed)?;
        }
        #[cfg(unix)]
        File::open(&temporary)
            .and_then(|made| made.sync_all())
            .map_err(failed)?;
        if taken(folder) {
            return Err(FileError::Exists {
                path: folder.to_path_buf(),
            });
        }
        std::fs::rename(&temporary, folder).map_err(failed)
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&temporary);
    }
    result
}

/// Writes `bytes` to `path` whole or not at all.
pub fn write_bytes(path: &Path, bytes: &[u8], mode: Mode) -> Result<(), FileError> {
    write_whole(path, mode, |writer| {
        writer.write_all(bytes).map_err(|source| FileError::Write {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// `path` as an absolute path without `.`, `..` or symbolic links where it exists (on Windows
/// absolute only, without the `\\?\` form), for remembering where something was seen: a relative
/// path means nothing later.
pub fn lasting_path(path: &Path) -> PathBuf {
    #[cfg(not(windows))]
    if let Ok(canonical) = std::fs::canonicalize(path) {
        return canonical;
    }
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The names in `dir`, sorted: what a write left behind.
    pub(crate) fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("list")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    #[test]
    fn fifos_devices_and_oversized_files_are_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("dir");
        let fifo = dir.path().join("fifo.cer");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        // No writer ever comes: a blocking open would hang this test.
        assert!(matches!(
            read_regular(&fifo, 1 << 20),
            Err(FileError::NotRegular { kind: "a FIFO", .. })
        ));
        let zero = dir.path().join("zero.cer");
        std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
        assert!(matches!(
            read_regular(&zero, 1 << 20),
            Err(FileError::NotRegular {
                kind: "a device",
                ..
            })
        ));
        let big = dir.path().join("big.cer");
        std::fs::write(&big, vec![0u8; 1025]).expect("write");
        assert!(matches!(
            read_regular(&big, 1024),
            Err(FileError::TooLarge { max: 1024, .. })
        ));
        assert_eq!(read_regular(&big, 1025).expect("read").len(), 1025);
    }

    #[cfg(unix)]
    #[test]
    fn a_private_folder_is_written_whole_for_its_owner_and_never_over_anything() {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |path: &Path| std::fs::metadata(path).expect("meta").permissions().mode() & 0o777;
        let dir = tempfile::tempdir().expect("dir");
        let parents = dir.path().join("a").join("b");
        create_private_folders(&parents).expect("folders");
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&parents), 0o700);
        let folder = parents.join("key.000");
        write_private_folder(&folder, [("header.key", &b"h"[..]), ("primary.key", b"p")])
            .expect("written");
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(listing(&folder), ["header.key", "primary.key"]);
        for name in ["header.key", "primary.key"] {
            assert_eq!(mode(&folder.join(name)), 0o600, "{name}");
        }
        assert!(matches!(
            write_private_folder(&folder, [("header.key", &b"other"[..])]),
            Err(FileError::Exists { .. })
        ));
        assert_eq!(
            std::fs::read(folder.join("header.key")).expect("read"),
            b"h"
        );
        // A file name that cannot be written: nothing is left, not even the temporary folder.
        let failed = parents.join("key.001");
        assert!(write_private_folder(&failed, [("a", &b"1"[..]), ("no/such/file", b"2")]).is_err());
        assert_eq!(listing(&parents), ["key.000"]);
        // A dangling link holds its name: nothing is written through it or over it.
        let dangling = parents.join("key.002");
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &dangling).expect("link");
        assert!(taken(&dangling));
        assert!(matches!(
            write_private_folder(&dangling, [("a", &b"1"[..])]),
            Err(FileError::Exists { .. })
        ));
        assert!(matches!(
            write_bytes(&dangling, b"x", Mode::NEW),
            Err(FileError::Exists { .. })
        ));
        assert!(!dir.path().join("elsewhere").exists());
    }

    #[test]
    fn a_failed_or_refused_write_leaves_nothing_and_a_good_one_the_whole_file() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("out.txt");
        let failed: Result<(), FileError> = write_whole(&path, Mode::NEW, |writer| {
            writer.write_all(b"half").expect("buffered");
            Err(FileError::Write {
                path: path.clone(),
                source: std::io::Error::other("disk full"),
            })
        });
        assert!(matches!(failed, Err(FileError::Write { .. })));
        assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));

        write_bytes(&path, b"whole", Mode::PRIVATE_NEW).expect("written");
        assert_eq!(std::fs::read(&path).expect("read"), b"whole");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(
            write_bytes(&path, b"again", Mode::NEW),
            Err(FileError::Exists { .. })
        ));
        assert_eq!(std::fs::read(&path).expect("read"), b"whole");
        write_bytes(&path, b"replaced", Mode::REPLACE).expect("replaced");
        assert_eq!(std::fs::read(&path).expect("read"), b"replaced");
        assert_eq!(listing(dir.path()), ["out.txt"]);
    }
}
