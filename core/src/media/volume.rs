//! Which removable drive a path is on, so that "seen at" names the drive as well as the path: a
//! USB drive mounted at /media/anna/FLASH today may be /media/anna/FLASH1 tomorrow, while its
//! label and its file system's serial (UUID) stay. On Linux from the kernel's mount table
//! (`/proc/self/mountinfo`) and udev's `/dev/disk/by-uuid` and `/dev/disk/by-label` links; only
//! drives mounted where desktops mount removable media (`/media`, `/run/media`) are named.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A removable drive: its label and its file system's serial, as far as they are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    /// Where it is mounted.
    pub mount_point: PathBuf,
    /// The file system's label ("FLASH").
    pub label: Option<String>,
    /// The file system's serial or UUID ("1A2B-3C4D").
    pub serial: Option<String>,
}

/// Undoes the octal escapes of the mount table and udev's link names (`\040`, `\x20`).
fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let rest = &bytes[index..];
        let parsed = match rest {
            [b'\\', b'x', a, b, ..] => std::str::from_utf8(&[*a, *b])
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .map(|byte| (byte, 4)),
            [b'\\', a, b, c, ..] if [a, b, c].iter().all(|d| (b'0'..=b'7').contains(d)) => {
                std::str::from_utf8(&[*a, *b, *c])
                    .ok()
                    .and_then(|octal| u8::from_str_radix(octal, 8).ok())
                    .map(|byte| (byte, 4))
            }
            _ => None,
        };
        match parsed {
            Some((byte, length)) => {
                out.push(byte);
                index += length;
            }
            None => {
                out.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The removable drive `path` is on, from the mount table `mountinfo` and udev's `disks` folder
/// (holding `by-uuid` and `by-label`).
pub fn volume_in(mountinfo: &str, disks: &Path, path: &Path) -> Option<Volume> {
    // The longest mount point that holds `path`: (mount point, device).
    let (mount_point, device) = mountinfo
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let separator = fields.iter().position(|field| *field == "-")?;
            let mount_point = PathBuf::from(unescape(fields.get(4)?));
            let device = unescape(fields.get(separator + 2)?);
            Some((mount_point, device))
        })
        .filter(|(mount_point, _)| path.starts_with(mount_point))
        .max_by_key(|(mount_point, _)| mount_point.as_os_str().len())?;
    if !(mount_point.starts_with("/media") || mount_point.starts_with("/run/media")) {
        return None;
    }
    let device = std::fs::canonicalize(&device).unwrap_or_else(|_| PathBuf::from(&device));
    let named = |folder: &str| -> Option<String> {
        std::fs::read_dir(disks.join(folder))
            .ok()?
            .flatten()
            .find(|entry| std::fs::canonicalize(entry.path()).is_ok_and(|target| target == device))
            .map(|entry| unescape(&entry.file_name().to_string_lossy()))
    };
    Some(Volume {
        label: named("by-label"),
        serial: named("by-uuid"),
        mount_point,
    })
}

/// The removable drive `path` is on, on this computer (none on systems without a mount table).
pub fn removable_volume(path: &Path) -> Option<Volume> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    volume_in(&mountinfo, Path::new("/dev/disk"), path)
}

/// Where something was seen, for the archive: the path, and for a removable drive its label and
/// serial ("/media/anna/FLASH/keys (drive «FLASH», serial 1A2B-3C4D)"). Drives are looked up once
/// per mount point.
#[derive(Debug, Default)]
pub struct Places {
    looked_up: HashMap<PathBuf, Option<Volume>>,
}

impl Places {
    /// The place of `path`.
    pub fn name(&mut self, path: &Path) -> String {
        let shown = path.display().to_string();
        let cached = self
            .looked_up
            .iter()
            .find(|(mount_point, _)| path.starts_with(mount_point))
            .map(|(_, volume)| volume.clone());
        let volume = match cached {
            Some(volume) => volume,
            None => {
                let volume = removable_volume(path);
                if let Some(found) = &volume {
                    self.looked_up
                        .insert(found.mount_point.clone(), volume.clone());
                }
                volume
            }
        };
        match volume {
            Some(volume) => with_volume(&shown, &volume),
            None => shown,
        }
    }
}

/// `shown` with the drive's label and serial after it.
fn with_volume(shown: &str, volume: &Volume) -> String {
    let mut parts = Vec::new();
    if let Some(label) = &volume.label {
        parts.push(format!("drive «{label}»"));
    }
    if let Some(serial) = &volume.serial {
        parts.push(format!("serial {serial}"));
    }
    if parts.is_empty() {
        shown.to_owned()
    } else {
        format!("{shown} ({})", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A USB drive mounted by the desktop is named by its label and serial, read through udev's
    /// links; a folder on the system disk is not a drive.
    #[cfg(unix)]
    #[test]
    fn a_path_on_a_usb_drive_is_named_with_its_label_and_serial() {
        let dir = tempfile::tempdir().expect("temp dir");
        let device = dir.path().join("sdb1");
        std::fs::write(&device, b"").expect("device");
        for (folder, name) in [("by-uuid", "1A2B-3C4D"), ("by-label", "ФЛЕШКА\\x20АННЫ")]
        {
            std::fs::create_dir_all(dir.path().join(folder)).expect("mkdir");
            std::os::unix::fs::symlink(&device, dir.path().join(folder).join(name)).expect("link");
        }
        let mountinfo = format!(
            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n\
             97 22 8:17 / /media/anna/ФЛЕШКА\\040АННЫ rw,nosuid,nodev shared:60 - vfat {} rw\n",
            device.display()
        );
        let on_drive = Path::new("/media/anna/ФЛЕШКА АННЫ/keys/g2012256.000");
        let volume = volume_in(&mountinfo, dir.path(), on_drive).expect("a drive");
        assert_eq!(volume.label.as_deref(), Some("ФЛЕШКА АННЫ"));
        assert_eq!(volume.serial.as_deref(), Some("1A2B-3C4D"));
        assert_eq!(
            with_volume(&on_drive.display().to_string(), &volume),
            "/media/anna/ФЛЕШКА АННЫ/keys/g2012256.000 (drive «ФЛЕШКА АННЫ», serial 1A2B-3C4D)"
        );
        assert_eq!(
            volume_in(&mountinfo, dir.path(), Path::new("/home/anna/keys")),
            None
        );
    }
}
