//! A CryptoPro container folder from a drive: the input is split into `header.key`, `masks.key`,
//! `primary.key` and `name.key` (each prefixed by a two-byte length) and opened with the empty
//! password and with "1", as import and inspect do; typed errors, never a panic.
#![no_main]

use certkeeper_core::formats::cryptopro::ContainerFiles;
use libfuzzer_sys::fuzz_target;
use secrecy::SecretString;
use zeroize::Zeroizing;

fn take<'a>(data: &mut &'a [u8]) -> &'a [u8] {
    let Some((length, rest)) = data.split_first_chunk::<2>() else {
        return std::mem::take(data);
    };
    let length = usize::from(u16::from_be_bytes(*length)).min(rest.len());
    let (part, rest) = rest.split_at(length);
    *data = rest;
    part
}

fuzz_target!(|data: &[u8]| {
    let mut data = data;
    let header = take(&mut data).to_vec();
    let masks = Zeroizing::new(take(&mut data).to_vec());
    let primary = Zeroizing::new(take(&mut data).to_vec());
    let name = take(&mut data);
    let files = ContainerFiles {
        header,
        name: (!name.is_empty()).then(|| name.to_vec()),
        masks,
        primary,
        reserve: None,
    };
    let _ = files.to_der();
    for password in ["", "1"] {
        if let Ok(container) = files.open(&SecretString::from(password.to_owned())) {
            let _ = container.private_key_info();
        }
    }
});
