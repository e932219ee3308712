//! The Windows registry itself, where CryptoPro CSP keeps the "registry" store (and where a
//! program is set to start with the user's session):
//! `HKLM\SOFTWARE\WOW6432Node\Crypto Pro\Settings\Users\<SID>\Keys\<container>\`, one REG_BINARY
//! value per container file. The user's SID comes from the process token.
//!
//! Win32 calls are `unsafe` (raw handles and buffers); each one says why it is sound, and the
//! handles are owned by types that close them once.
#![allow(unsafe_code)]

use std::io;

use windows_sys::Win32::Foundation::{
    CloseHandle, ERROR_FILE_NOT_FOUND, ERROR_MORE_DATA, ERROR_NO_MORE_ITEMS, ERROR_SUCCESS, HANDLE,
    LocalFree, WIN32_ERROR,
};
use windows_sys::Win32::Security::Authorization::ConvertSidToStringSidW;
use windows_sys::Win32::Security::{GetTokenInformation, TOKEN_QUERY, TOKEN_USER, TokenUser};
use windows_sys::Win32::System::Registry::{
    HKEY, HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE, KEY_READ, KEY_WOW64_64KEY, KEY_WRITE, REG_BINARY,
    REG_OPTION_NON_VOLATILE, REG_SZ, RegCloseKey, RegCreateKeyExW, RegDeleteTreeW, RegDeleteValueW,
    RegEnumKeyExW, RegOpenKeyExW, RegQueryValueExW, RegSetValueExW,
};
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

/// The security identifier of the user this process runs as, as text (`S-1-5-21-…`).
pub fn user_sid() -> io::Result<String> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: GetCurrentProcess returns a pseudo-handle; `token` receives a handle we close below.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        return Err(io::Error::last_os_error());
    }
    let result = token_user_sid(token);
    // SAFETY: `token` is the handle OpenProcessToken gave.
    unsafe { CloseHandle(token) };
    result
}

fn token_user_sid(token: HANDLE) -> io::Result<String> {
    let mut needed = 0u32;
    // SAFETY: a size query with no buffer; it fails with ERROR_INSUFFICIENT_BUFFER and sets `needed`.
    unsafe { GetTokenInformation(token, TokenUser, std::ptr::null_mut(), 0, &mut needed) };
    if needed == 0 {
        return Err(io::Error::last_os_error());
    }
    // u64 words keep TOKEN_USER's pointer-sized fields aligned.
    let mut buffer = vec![0u64; (needed as usize).div_ceil(8)];
    // SAFETY: `buffer` holds at least `needed` bytes.
    if unsafe {
        GetTokenInformation(
            token,
            TokenUser,
            buffer.as_mut_ptr().cast(),
            needed,
            &mut needed,
        )
    } == 0
    {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: GetTokenInformation(TokenUser) filled the buffer with a TOKEN_USER whose SID points
    // inside the same buffer.
    let sid = unsafe { (*buffer.as_ptr().cast::<TOKEN_USER>()).User.Sid };
    let mut text: *mut u16 = std::ptr::null_mut();
    // SAFETY: `sid` is valid while `buffer` lives; `text` is allocated by the call and freed below.
    if unsafe { ConvertSidToStringSidW(sid, &mut text) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: ConvertSidToStringSidW returns a NUL-terminated wide string.
    let length = (0..).take_while(|&i| unsafe { *text.add(i) } != 0).count();
    // SAFETY: `length` units were read above.
    let sid = String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(text, length) });
    // SAFETY: the string was allocated by LocalAlloc inside ConvertSidToStringSidW.
    unsafe { LocalFree(text.cast()) };
    Ok(sid)
}

/// The path of the user's CryptoPro keys under HKEY_LOCAL_MACHINE.
pub fn keys_subkey(sid: &str) -> String {
    format!(r"SOFTWARE\WOW6432Node\Crypto Pro\Settings\Users\{sid}\Keys")
}

/// The path of the user's container `name` under HKEY_LOCAL_MACHINE.
pub fn container_subkey(sid: &str, name: &str) -> String {
    format!(r"{}\{name}", keys_subkey(sid))
}

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(std::iter::once(0)).collect()
}

fn check(code: WIN32_ERROR) -> io::Result<()> {
    if code == ERROR_SUCCESS {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(code as i32))
    }
}

/// The registry's two roots certkeeper writes under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// HKEY_LOCAL_MACHINE (CryptoPro's keys).
    LocalMachine,
    /// HKEY_CURRENT_USER (what starts with the user's session).
    CurrentUser,
}

impl Root {
    fn handle(self) -> HKEY {
        match self {
            Self::LocalMachine => HKEY_LOCAL_MACHINE,
            Self::CurrentUser => HKEY_CURRENT_USER,
        }
    }
}

/// An open registry key, closed when dropped.
pub struct Key(HKEY);

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: the handle came from RegOpenKeyExW or RegCreateKeyExW and is closed once.
        unsafe { RegCloseKey(self.0) };
    }
}

impl Key {
    /// Opens `subkey` of HKEY_LOCAL_MACHINE in the 64-bit view (the path names WOW6432Node
    /// itself), or None when it is not there.
    pub fn open(subkey: &str, write: bool) -> io::Result<Option<Self>> {
        Self::open_in(Root::LocalMachine, subkey, write)
    }

    /// Opens `subkey` of `root` in the 64-bit view, or None when it is not there.
    pub fn open_in(root: Root, subkey: &str, write: bool) -> io::Result<Option<Self>> {
        let access = KEY_READ | KEY_WOW64_64KEY | if write { KEY_WRITE } else { 0 };
        let mut key: HKEY = std::ptr::null_mut();
        let path = wide(subkey);
        // SAFETY: `path` is NUL-terminated; `key` receives a handle owned by the returned Key.
        match unsafe { RegOpenKeyExW(root.handle(), path.as_ptr(), 0, access, &mut key) } {
            ERROR_SUCCESS => Ok(Some(Self(key))),
            ERROR_FILE_NOT_FOUND => Ok(None),
            code => Err(io::Error::from_raw_os_error(code as i32)),
        }
    }

    /// Opens `subkey` of HKEY_LOCAL_MACHINE for writing, creating it (and the keys above it).
    pub fn create(subkey: &str) -> io::Result<Self> {
        Self::create_in(Root::LocalMachine, subkey)
    }

    /// Opens `subkey` of `root` for writing, creating it (and the keys above it).
    pub fn create_in(root: Root, subkey: &str) -> io::Result<Self> {
        let mut key: HKEY = std::ptr::null_mut();
        let path = wide(subkey);
        // SAFETY: `path` is NUL-terminated; `key` receives a handle owned by the returned Key.
        check(unsafe {
            RegCreateKeyExW(
                root.handle(),
                path.as_ptr(),
                0,
                std::ptr::null(),
                REG_OPTION_NON_VOLATILE,
                KEY_READ | KEY_WRITE | KEY_WOW64_64KEY,
                std::ptr::null(),
                &mut key,
                std::ptr::null_mut(),
            )
        })?;
        Ok(Self(key))
    }

    /// The names of the keys right under this one.
    pub fn subkeys(&self) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for index in 0.. {
            // Key names are at most 255 characters.
            let mut name = [0u16; 256];
            let mut length = name.len() as u32;
            // SAFETY: `name` holds `length` units; the other out-parameters are optional.
            match unsafe {
                RegEnumKeyExW(
                    self.0,
                    index,
                    name.as_mut_ptr(),
                    &mut length,
                    std::ptr::null(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                )
            } {
                ERROR_SUCCESS => names.push(String::from_utf16_lossy(&name[..length as usize])),
                ERROR_NO_MORE_ITEMS => break,
                code => return Err(io::Error::from_raw_os_error(code as i32)),
            }
        }
        Ok(names)
    }

    /// The bytes of value `name`, or None when there is no such value.
    pub fn value(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        let name = wide(name);
        let mut bytes = vec![0u8; 4096];
        loop {
            let mut length = bytes.len() as u32;
            // SAFETY: `bytes` holds `length` bytes; the value's type is not asked.
            match unsafe {
                RegQueryValueExW(
                    self.0,
                    name.as_ptr(),
                    std::ptr::null(),
                    std::ptr::null_mut(),
                    bytes.as_mut_ptr(),
                    &mut length,
                )
            } {
                ERROR_SUCCESS => {
                    bytes.truncate(length as usize);
                    return Ok(Some(bytes));
                }
                ERROR_MORE_DATA => bytes.resize(length as usize, 0),
                ERROR_FILE_NOT_FOUND => return Ok(None),
                code => return Err(io::Error::from_raw_os_error(code as i32)),
            }
        }
    }

    /// Sets value `name` to `bytes` as REG_BINARY.
    pub fn set_binary(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let name = wide(name);
        let length = u32::try_from(bytes.len()).map_err(io::Error::other)?;
        // SAFETY: `name` is NUL-terminated and `bytes` holds `length` bytes.
        check(unsafe {
            RegSetValueExW(self.0, name.as_ptr(), 0, REG_BINARY, bytes.as_ptr(), length)
        })
    }

    /// Sets value `name` to the text `value` as REG_SZ.
    pub fn set_string(&self, name: &str, value: &str) -> io::Result<()> {
        let name = wide(name);
        let value = wide(value);
        let length = u32::try_from(value.len() * 2).map_err(io::Error::other)?;
        // SAFETY: both are NUL-terminated; `length` counts the bytes of `value` with its NUL.
        check(unsafe {
            RegSetValueExW(
                self.0,
                name.as_ptr(),
                0,
                REG_SZ,
                value.as_ptr().cast(),
                length,
            )
        })
    }

    /// The text of the REG_SZ value `name`, or None when there is no such value.
    pub fn string(&self, name: &str) -> io::Result<Option<String>> {
        Ok(self.value(name)?.map(|bytes| {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                .take_while(|&unit| unit != 0)
                .collect();
            String::from_utf16_lossy(&units)
        }))
    }

    /// Removes value `name`; a value that is not there is no error.
    pub fn delete_value(&self, name: &str) -> io::Result<()> {
        let name = wide(name);
        // SAFETY: `name` is NUL-terminated.
        match unsafe { RegDeleteValueW(self.0, name.as_ptr()) } {
            ERROR_SUCCESS | ERROR_FILE_NOT_FOUND => Ok(()),
            code => Err(io::Error::from_raw_os_error(code as i32)),
        }
    }

    /// Removes the key `subkey` of this one with everything under it (a container half written).
    pub fn delete_tree(&self, subkey: &str) -> io::Result<()> {
        let path = wide(subkey);
        // SAFETY: `path` is NUL-terminated.
        check(unsafe { RegDeleteTreeW(self.0, path.as_ptr()) })
    }
}
