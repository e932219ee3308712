//! The "registry" key store of CryptoPro CSP.
//!
//! - On Linux CryptoPro keeps it as HDIMAGE: `<root>/<user>/<name>.000/` folders with the container's
//!   files (`/var/opt/cprocsp/keys` where CryptoPro is installed; certkeeper uses a folder under the
//!   user's data directory otherwise). [`RegistryStore`] reads and writes that layout.
//! - On Windows it is the registry itself: `HKLM\SOFTWARE\WOW6432Node\Crypto Pro\Settings\Users\
//!   <SID>\Keys\<container>\` with one REG_BINARY value per file. [`reg_file`] writes a Windows
//!   Registry Editor 5.00 file to import there, and [`parse_reg_file`] reads one back.

use std::path::{Path, PathBuf};

use crate::formats::cryptopro::{self, ContainerFiles};

#[cfg(windows)]
pub mod windows;

/// Where a container went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Written into this new folder.
    Written(PathBuf),
    /// The same container (byte for byte) was there already, in this folder.
    AlreadyThere(PathBuf),
}

/// The registry store: HDIMAGE-style folders (Linux, or anywhere a folder is named), or on Windows
/// the registry itself.
#[derive(Debug, Clone)]
pub struct RegistryStore {
    place: Place,
}

#[derive(Debug, Clone)]
enum Place {
    /// One folder per container under `<root>/<user>/`.
    Folder(PathBuf),
    /// The user's CryptoPro keys in the Windows registry; the path shown is the registry key's.
    #[cfg(windows)]
    Registry { sid: String, shown: PathBuf },
}

/// A container found in the store.
#[derive(Debug)]
pub struct Entry {
    /// Its folder (on Windows, its registry key's path).
    pub folder: PathBuf,
    /// Its files.
    pub files: ContainerFiles,
}

impl RegistryStore {
    /// The HDIMAGE store of `user` under `root` (created on first write).
    pub fn new(root: &Path, user: &str) -> Self {
        Self {
            place: Place::Folder(root.join(user)),
        }
    }

    /// The Windows registry store of the user `sid`.
    #[cfg(windows)]
    pub fn windows(sid: &str) -> Self {
        Self {
            place: Place::Registry {
                sid: sid.to_owned(),
                shown: PathBuf::from(keys_path(sid)),
            },
        }
    }

    /// The Windows registry store of the user this process runs as.
    #[cfg(windows)]
    pub fn of_this_user() -> std::io::Result<Self> {
        Ok(Self::windows(&windows::user_sid()?))
    }

    /// Where the containers live: the folder, or on Windows the registry key's path.
    pub fn folder(&self) -> &Path {
        match &self.place {
            Place::Folder(folder) => folder,
            #[cfg(windows)]
            Place::Registry { shown, .. } => shown,
        }
    }

    /// Whether this is the Windows registry (rather than folders).
    pub fn is_windows_registry(&self) -> bool {
        !matches!(self.place, Place::Folder(_))
    }

    /// Every container in the store, by folder (or registry key) name.
    pub fn list(&self) -> std::io::Result<Vec<Entry>> {
        match &self.place {
            Place::Folder(folder) => containers_in(folder),
            #[cfg(windows)]
            Place::Registry { sid, shown } => list_keys(sid, shown),
        }
    }

    /// The files of the container at `place` (an [`Entry::folder`] or a [`Stored`] path).
    pub fn read(&self, place: &Path) -> Result<ContainerFiles, crate::error::FormatError> {
        match &self.place {
            Place::Folder(_) => ContainerFiles::read(place),
            #[cfg(windows)]
            Place::Registry { sid, shown } => {
                container_of_key(&container_key(sid, shown, place, false)?, place)
            }
        }
    }

    /// Replaces the `header.key` of the container at `place` (a certificate installed into it).
    pub fn replace_header(
        &self,
        place: &Path,
        header: &[u8],
    ) -> Result<(), crate::error::FormatError> {
        match &self.place {
            Place::Folder(_) => crate::files::write_bytes(
                &place.join("header.key"),
                header,
                crate::files::Mode {
                    private: true,
                    replace: true,
                },
            )
            .map_err(|error| crate::error::FormatError::ContainerFile {
                path: place.to_path_buf(),
                source: std::io::Error::other(error.to_string()),
            }),
            #[cfg(windows)]
            Place::Registry { sid, shown } => container_key(sid, shown, place, true)?
                .set_binary("header.key", header)
                .map_err(|source| crate::error::FormatError::ContainerFile {
                    path: place.to_path_buf(),
                    source,
                }),
        }
    }

    /// Puts `files` into the store under a folder (or registry key) named after `name`, unless the
    /// very same container is there already (then nothing is written). Never overwrites another
    /// container.
    pub fn put(
        &self,
        name: &str,
        files: &ContainerFiles,
    ) -> Result<Stored, crate::error::FormatError> {
        let unwritable = |source| crate::error::FormatError::ContainerFile {
            path: self.folder().to_path_buf(),
            source,
        };
        for entry in self.list().map_err(unwritable)? {
            if entry.files == *files {
                return Ok(Stored::AlreadyThere(entry.folder));
            }
        }
        match &self.place {
            Place::Folder(folder) => put_folder(folder, name, files),
            #[cfg(windows)]
            Place::Registry { sid, shown } => put_key(sid, shown, name, files),
        }
    }
}

/// The containers right in `folder` (a drive, or an HDIMAGE user folder), by folder name; none
/// when the folder is not there.
pub fn containers_in(folder: &Path) -> std::io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    let read = match std::fs::read_dir(folder) {
        Ok(read) => read,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(entries),
        Err(error) => return Err(error),
    };
    let mut folders: Vec<PathBuf> = read
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| cryptopro::is_container(path))
        .collect();
    folders.sort();
    for folder in folders {
        if let Ok(files) = ContainerFiles::read(&folder) {
            entries.push(Entry { folder, files });
        }
    }
    Ok(entries)
}

fn put_folder(
    store: &Path,
    name: &str,
    files: &ContainerFiles,
) -> Result<Stored, crate::error::FormatError> {
    let unwritable = |source| crate::error::FormatError::ContainerFile {
        path: store.to_path_buf(),
        source,
    };
    crate::files::create_private_folders(store).map_err(|error| match error {
        crate::files::FileError::Write { source, .. } => unwritable(source),
        other => unwritable(std::io::Error::other(other.to_string())),
    })?;
    let stem = folder_stem(name);
    for number in 0..1000 {
        let folder = store.join(format!("{stem}.{number:03}"));
        if crate::files::taken(&folder) {
            continue;
        }
        files.write(&folder)?;
        return Ok(Stored::Written(folder));
    }
    Err(unwritable(std::io::Error::other(
        "a thousand containers of the same name",
    )))
}

/// The container key's name of `place` under the store's key path `shown`.
#[cfg(windows)]
fn key_name<'a>(shown: &Path, place: &'a Path) -> Option<&'a str> {
    place
        .strip_prefix(shown)
        .ok()
        .and_then(|rest| rest.to_str())
        .filter(|name| !name.is_empty() && !name.contains('\\'))
}

/// The registry key of the container at `place` (a path under the store's key path `shown`),
/// opened for reading or writing.
#[cfg(windows)]
fn container_key(
    sid: &str,
    shown: &Path,
    place: &Path,
    write: bool,
) -> Result<windows::Key, crate::error::FormatError> {
    let failed = |source| crate::error::FormatError::ContainerFile {
        path: place.to_path_buf(),
        source,
    };
    let name = key_name(shown, place)
        .ok_or_else(|| failed(std::io::Error::other("not a container of this store")))?;
    windows::Key::open(&windows::container_subkey(sid, name), write)
        .map_err(failed)?
        .ok_or_else(|| failed(std::io::ErrorKind::NotFound.into()))
}

#[cfg(windows)]
fn container_of_key(
    key: &windows::Key,
    place: &Path,
) -> Result<ContainerFiles, crate::error::FormatError> {
    ContainerFiles::from_named(|value| {
        key.value(value)
            .map_err(|source| crate::error::FormatError::ContainerFile {
                path: place.join(value),
                source,
            })
    })
}

#[cfg(windows)]
fn list_keys(sid: &str, shown: &Path) -> std::io::Result<Vec<Entry>> {
    let Some(keys) = windows::Key::open(&windows::keys_subkey(sid), false)? else {
        return Ok(Vec::new());
    };
    let mut names = keys.subkeys()?;
    names.sort();
    let mut entries = Vec::new();
    for name in names {
        let folder = shown.join(&name);
        let Some(key) = windows::Key::open(&windows::container_subkey(sid, &name), false)? else {
            continue;
        };
        // A key that is not a whole container (another program's, or half written) is passed
        // over, as a folder without the container's files is.
        if let Ok(files) = container_of_key(&key, &folder) {
            entries.push(Entry { folder, files });
        }
    }
    Ok(entries)
}

/// Writes a new registry key for the container: whole or not at all, read back before it counts.
#[cfg(windows)]
fn put_key(
    sid: &str,
    shown: &Path,
    name: &str,
    files: &ContainerFiles,
) -> Result<Stored, crate::error::FormatError> {
    let unwritable = |source| crate::error::FormatError::ContainerFile {
        path: shown.to_path_buf(),
        source,
    };
    let keys = windows::Key::create(&windows::keys_subkey(sid)).map_err(unwritable)?;
    let taken = keys.subkeys().map_err(unwritable)?;
    // Registry key names cannot hold a backslash; CryptoPro shows the key's name as the
    // container's.
    let base: String = name
        .chars()
        .map(|c| if c == '\\' || c.is_control() { '_' } else { c })
        .collect();
    let base = if base.trim().is_empty() {
        "certkeeper".to_owned()
    } else {
        base
    };
    let chosen = (1..1000)
        .map(|number| {
            if number == 1 {
                base.clone()
            } else {
                format!("{base} ({number})")
            }
        })
        .find(|candidate| {
            !taken
                .iter()
                .any(|existing| existing.eq_ignore_ascii_case(candidate))
        })
        .ok_or_else(|| {
            unwritable(std::io::Error::other(
                "a thousand containers of the same name",
            ))
        })?;
    let folder = shown.join(&chosen);
    let written = (|| {
        let key = windows::Key::create(&windows::container_subkey(sid, &chosen))?;
        for (value, bytes) in files.named() {
            key.set_binary(value, bytes)?;
        }
        Ok::<_, std::io::Error>(key)
    })()
    .map_err(unwritable)
    .and_then(|key| {
        if container_of_key(&key, &folder)? == *files {
            Ok(())
        } else {
            Err(unwritable(std::io::Error::other(
                "the container reads back differently",
            )))
        }
    });
    if let Err(error) = written {
        // Nothing half written stays behind.
        let _ = keys.delete_tree(&chosen);
        return Err(error);
    }
    Ok(Stored::Written(folder))
}

/// CryptoPro names HDIMAGE folders with eight characters and a number; the container's own name
/// stays in `name.key`. Latin letters and digits of the name are kept, Cyrillic ones transliterated
/// (so «Иванов Иван» is `IvanovIv`), the rest left out.
pub fn folder_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .flat_map(|c| {
            let latin = match c.to_lowercase().next().unwrap_or(c) {
                'а' => "a",
                'б' => "b",
                'в' => "v",
                'г' => "g",
                'д' => "d",
                'е' | 'ё' | 'э' => "e",
                'ж' => "zh",
                'з' => "z",
                'и' => "i",
                'й' | 'ы' => "y",
                'к' => "k",
                'л' => "l",
                'м' => "m",
                'н' => "n",
                'о' => "o",
                'п' => "p",
                'р' => "r",
                'с' => "s",
                'т' => "t",
                'у' => "u",
                'ф' => "f",
                'х' => "h",
                'ц' => "c",
                'ч' => "ch",
                'ш' => "sh",
                'щ' => "sch",
                'ю' => "yu",
                'я' => "ya",
                _ => "",
            };
            let upper = c.is_uppercase();
            let mut letters: Vec<char> = latin.chars().collect();
            if upper && let Some(first) = letters.first_mut() {
                *first = first.to_ascii_uppercase();
            }
            if latin.is_empty() && (c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                letters.push(c);
            }
            letters
        })
        .take(8)
        .collect();
    if stem.is_empty() {
        "cert0000".to_owned()
    } else {
        stem
    }
}

/// The registry key of the containers of user `sid` (64-bit Windows, where CryptoPro keeps them
/// under WOW6432Node).
pub fn keys_path(sid: &str) -> String {
    format!(r"HKEY_LOCAL_MACHINE\SOFTWARE\WOW6432Node\Crypto Pro\Settings\Users\{sid}\Keys")
}

/// The value names, one per container file, as CryptoPro writes them.
const VALUES: [&str; 6] = [
    "header.key",
    "masks.key",
    "masks2.key",
    "name.key",
    "primary.key",
    "primary2.key",
];

fn file_bytes<'a>(files: &'a ContainerFiles, value: &str) -> Option<&'a [u8]> {
    match value {
        "header.key" => Some(&files.header),
        "name.key" => files.name.as_deref(),
        "masks.key" => Some(&files.masks),
        "primary.key" => Some(&files.primary),
        "masks2.key" => files.reserve.as_ref().map(|(masks, _)| &masks[..]),
        "primary2.key" => files.reserve.as_ref().map(|(_, primary)| &primary[..]),
        _ => None,
    }
}

/// A Windows Registry Editor 5.00 file (text; [`encode_utf16`] gives the bytes regedit expects) that
/// puts `containers` (container name, files) under the CryptoPro keys of user `sid`.
pub fn reg_file(sid: &str, containers: &[(&str, &ContainerFiles)]) -> String {
    let mut text = String::from("Windows Registry Editor Version 5.00\r\n");
    for (name, files) in containers {
        text.push_str(&format!("\r\n[{}\\{}]\r\n", keys_path(sid), escape(name)));
        for value in VALUES {
            if let Some(bytes) = file_bytes(files, value) {
                text.push_str(&hex_value(value, bytes));
            }
        }
    }
    text
}

/// The file as regedit writes it: UTF-16 little-endian with a byte order mark.
pub fn encode_utf16(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xff, 0xfe];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

fn escape(name: &str) -> String {
    name.replace('\\', "\\\\").replace('"', "\\\"")
}

/// `"name"=hex:01,02,...` wrapped at 80 columns with `\` continuations, as regedit writes it.
fn hex_value(name: &str, bytes: &[u8]) -> String {
    let mut out = format!("\"{}\"=hex:", escape(name));
    let mut column = out.len();
    for (index, byte) in bytes.iter().enumerate() {
        let last = index + 1 == bytes.len();
        let piece = if last {
            format!("{byte:02x}")
        } else {
            format!("{byte:02x},")
        };
        if column + piece.len() > 78 && !last {
            out.push_str("\\\r\n  ");
            column = 2;
        }
        out.push_str(&piece);
        column += piece.len();
    }
    out.push_str("\r\n");
    out
}

/// One key of a `.reg` file with its binary values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegKey {
    /// The full key path.
    pub path: String,
    /// (value name, bytes) for every `hex:` value.
    pub values: Vec<(String, Vec<u8>)>,
}

/// Reads a Windows Registry Editor 5.00 file (UTF-16 with BOM or UTF-8): its keys and their binary
/// values. Anything else in it is refused with the line it is on.
pub fn parse_reg_file(bytes: &[u8]) -> Result<Vec<RegKey>, String> {
    let text = if bytes.starts_with(&[0xff, 0xfe]) {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        String::from_utf16(&units).map_err(|_| "not UTF-16".to_owned())?
    } else {
        String::from_utf8(bytes.to_vec()).map_err(|_| "not UTF-8".to_owned())?
    };
    // Join continuation lines.
    let mut lines = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if let Some(head) = line.strip_suffix('\\') {
            current.push_str(head.trim_start());
            continue;
        }
        current.push_str(if current.is_empty() {
            line
        } else {
            line.trim_start()
        });
        lines.push(std::mem::take(&mut current));
    }
    let mut keys: Vec<RegKey> = Vec::new();
    let mut lines = lines.into_iter().enumerate();
    match lines.next() {
        Some((_, first))
            if first.trim_start_matches('\u{feff}') == "Windows Registry Editor Version 5.00" => {}
        _ => return Err("line 1: not a Windows Registry Editor 5.00 file".to_owned()),
    }
    for (number, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        if let Some(path) = line
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
        {
            keys.push(RegKey {
                path: path.replace("\\\\", "\\"),
                values: Vec::new(),
            });
            continue;
        }
        let bad = || format!("line {}: {line}", number + 1);
        let (name, data) = line.split_once("\"=hex:").ok_or_else(bad)?;
        let name = name
            .strip_prefix('"')
            .ok_or_else(bad)?
            .replace("\\\"", "\"");
        let bytes = data
            .split(',')
            .filter(|part| !part.is_empty())
            .map(|part| u8::from_str_radix(part.trim(), 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| bad())?;
        keys.last_mut().ok_or_else(bad)?.values.push((name, bytes));
    }
    Ok(keys)
}

/// The container files from the values of one key of a `.reg` file.
pub fn container_from_reg(key: &RegKey) -> Result<ContainerFiles, crate::error::FormatError> {
    use crate::formats::der::write;
    let find = |name: &str| {
        key.values
            .iter()
            .find(|(value, _)| value == name)
            .map(|(_, bytes)| bytes.clone())
    };
    let entries: Vec<Vec<u8>> = VALUES
        .iter()
        .filter_map(|name| {
            find(name).map(|bytes| {
                write::sequence(&[
                    &crate::formats::der::write::tlv(0x16, name.as_bytes()),
                    &write::octets(&bytes),
                ])
            })
        })
        .collect();
    let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
    ContainerFiles::from_der(&write::sequence(&refs))
}

#[cfg(test)]
mod tests {
    #[test]
    fn folder_names_are_eight_latin_characters() {
        use super::folder_stem;
        assert_eq!(folder_stem("Иванов Иван Иванович 2026-12-03"), "IvanovIv");
        assert_eq!(folder_stem("щука"), "schuka");
        assert_eq!(folder_stem("le-6c0a8b1c-1234"), "le-6c0a8");
        assert_eq!(folder_stem("«»"), "cert0000");
    }
}
