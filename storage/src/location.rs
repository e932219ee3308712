//! Where the archive file lives.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The archive's file name inside the data directory.
pub const ARCHIVE_FILE_NAME: &str = "archive.db";

/// The archive file and how its path was chosen, so that a person can be told why this file is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveLocation {
    path: PathBuf,
    origin: LocationOrigin,
}

/// How the archive path was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LocationOrigin {
    /// Given on the command line (`--archive`) or in `CERTKEEPER_ARCHIVE`.
    Explicit,
    /// The platform's data directory (`$XDG_DATA_HOME/certkeeper/archive.db` on Linux).
    Default,
}

impl ArchiveLocation {
    /// The archive at `path`, as the user asked.
    pub fn explicit(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            origin: LocationOrigin::Explicit,
        }
    }

    /// The user's default archive: `archive.db` in the platform's data directory for certkeeper
    /// (`$XDG_DATA_HOME/certkeeper` or `~/.local/share/certkeeper` on Linux).
    pub fn default_for_user() -> Result<Self, Error> {
        let dirs =
            directories::ProjectDirs::from("", "", "certkeeper").ok_or(Error::NoDataDirectory)?;
        Ok(Self {
            path: dirs.data_dir().join(ARCHIVE_FILE_NAME),
            origin: LocationOrigin::Default,
        })
    }

    /// `path` when given, the user's default archive otherwise.
    pub fn resolve(path: Option<PathBuf>) -> Result<Self, Error> {
        match path {
            Some(path) => Ok(Self::explicit(path)),
            None => Self::default_for_user(),
        }
    }

    /// The archive file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How the path was chosen.
    pub fn origin(&self) -> LocationOrigin {
        self.origin
    }

    /// Whether an archive file is there already.
    pub fn exists(&self) -> bool {
        self.path.is_file()
    }
}

/// CryptoPro CSP's own store on Linux.
const CRYPTOPRO_KEYS: &str = "/var/opt/cprocsp/keys";

/// The registry store: `CERTKEEPER_REGISTRY` when set (a folder); on Windows the registry itself,
/// the keys of the user this process runs as; elsewhere CryptoPro's own folder when CryptoPro is
/// installed, otherwise `registry/` beside the archive in use (`archive`, else the default one).
/// One folder per user.
pub fn registry_store(
    archive: Option<&Path>,
) -> crate::Result<certkeeper_core::media::registry::RegistryStore> {
    #[cfg(windows)]
    if std::env::var_os("CERTKEEPER_REGISTRY").is_none() {
        return certkeeper_core::media::registry::RegistryStore::of_this_user()
            .map_err(Error::UserUnknown);
    }
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "user".to_owned());
    let root = match std::env::var_os("CERTKEEPER_REGISTRY") {
        Some(root) => PathBuf::from(root),
        None if Path::new(CRYPTOPRO_KEYS).is_dir() => PathBuf::from(CRYPTOPRO_KEYS),
        None => ArchiveLocation::resolve(archive.map(Path::to_path_buf))?
            .path()
            .parent()
            .map(|folder| folder.join("registry"))
            .ok_or(Error::NoDataDirectory)?,
    };
    Ok(certkeeper_core::media::registry::RegistryStore::new(
        &root, &user,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_path_is_kept_as_given() {
        let location =
            ArchiveLocation::resolve(Some("/media/usb/archive.db".into())).expect("explicit path");
        assert_eq!(location.path(), Path::new("/media/usb/archive.db"));
        assert_eq!(location.origin(), LocationOrigin::Explicit);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn default_is_in_the_xdg_data_directory() {
        let location = ArchiveLocation::default_for_user().expect("home directory");
        assert!(
            location.path().ends_with("certkeeper/archive.db"),
            "{}",
            location.path().display()
        );
        assert_eq!(location.origin(), LocationOrigin::Default);
    }
}
