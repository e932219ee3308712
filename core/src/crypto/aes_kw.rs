//! AES key wrap (RFC 3394) and AES key wrap with padding (RFC 5649): how PKCS#11 tokens hand keys
//! over (`CKM_AES_KEY_WRAP_PAD`) and how CMS wraps content keys for ECDH recipients.

use cipher::array::Array;
use cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use zeroize::Zeroizing;

use crate::error::CryptoError;

/// The default initial value of RFC 3394.
const DEFAULT_IV: [u8; 8] = [0xa6; 8];
/// The alternative initial value's first half (RFC 5649 section 3).
const PAD_IV: [u8; 4] = [0xa6, 0x59, 0x59, 0xa6];

fn check_kek(kek: &[u8]) -> Result<(), CryptoError> {
    if matches!(kek.len(), 16 | 24 | 32) {
        Ok(())
    } else {
        Err(CryptoError::Length {
            what: "AES key-encryption key",
            expected: 32,
            actual: kek.len(),
        })
    }
}

fn block(kek: &[u8], data: &mut [u8; 16], encrypt: bool) {
    let mut array = Array::from(*data);
    // The length was checked by `check_kek`: new_from_slice cannot fail here.
    match kek.len() {
        16 => {
            if let Ok(cipher) = aes::Aes128::new_from_slice(kek) {
                if encrypt {
                    cipher.encrypt_block(&mut array)
                } else {
                    cipher.decrypt_block(&mut array)
                }
            }
        }
        24 => {
            if let Ok(cipher) = aes::Aes192::new_from_slice(kek) {
                if encrypt {
                    cipher.encrypt_block(&mut array)
                } else {
                    cipher.decrypt_block(&mut array)
                }
            }
        }
        _ => {
            if let Ok(cipher) = aes::Aes256::new_from_slice(kek) {
                if encrypt {
                    cipher.encrypt_block(&mut array)
                } else {
                    cipher.decrypt_block(&mut array)
                }
            }
        }
    }
    data.copy_from_slice(&array);
    array.iter_mut().for_each(|byte| *byte = 0);
}

/// W of RFC 3394 section 2.2.1 with initial value `iv` over `plain` (a multiple of 8, ≥ 16 bytes).
fn wrap_with(kek: &[u8], iv: [u8; 8], plain: &[u8]) -> Vec<u8> {
    let n = plain.len() / 8;
    let mut a = iv;
    let mut r = Zeroizing::new(plain.to_vec());
    let mut buffer = Zeroizing::new([0u8; 16]);
    for j in 0..6u64 {
        for i in 1..=n {
            buffer[..8].copy_from_slice(&a);
            buffer[8..].copy_from_slice(&r[(i - 1) * 8..i * 8]);
            block(kek, &mut buffer, true);
            let t = (n as u64) * j + i as u64;
            a.copy_from_slice(&buffer[..8]);
            for (byte, t_byte) in a.iter_mut().zip(t.to_be_bytes()) {
                *byte ^= t_byte;
            }
            r[(i - 1) * 8..i * 8].copy_from_slice(&buffer[8..]);
        }
    }
    [&a[..], &r[..]].concat()
}

/// W⁻¹ of RFC 3394 section 2.2.2: the initial value found and the plaintext.
fn unwrap_with(kek: &[u8], wrapped: &[u8]) -> ([u8; 8], Zeroizing<Vec<u8>>) {
    let n = wrapped.len() / 8 - 1;
    let mut a = [0u8; 8];
    a.copy_from_slice(&wrapped[..8]);
    let mut r = Zeroizing::new(wrapped[8..].to_vec());
    let mut buffer = Zeroizing::new([0u8; 16]);
    for j in (0..6u64).rev() {
        for i in (1..=n).rev() {
            let t = (n as u64) * j + i as u64;
            for (byte, t_byte) in a.iter_mut().zip(t.to_be_bytes()) {
                *byte ^= t_byte;
            }
            buffer[..8].copy_from_slice(&a);
            buffer[8..].copy_from_slice(&r[(i - 1) * 8..i * 8]);
            block(kek, &mut buffer, false);
            a.copy_from_slice(&buffer[..8]);
            r[(i - 1) * 8..i * 8].copy_from_slice(&buffer[8..]);
        }
    }
    (a, r)
}

fn failed() -> CryptoError {
    CryptoError::IntegrityCheckFailed {
        what: "wrapped key",
    }
}

/// AES key wrap (RFC 3394) of `key` (a multiple of 8 bytes, at least 16).
pub fn wrap(kek: &[u8], key: &[u8]) -> Result<Vec<u8>, CryptoError> {
    check_kek(kek)?;
    if key.len() < 16 || !key.len().is_multiple_of(8) {
        return Err(CryptoError::Length {
            what: "key to wrap",
            expected: key.len().next_multiple_of(8).max(16),
            actual: key.len(),
        });
    }
    Ok(wrap_with(kek, DEFAULT_IV, key))
}

/// AES key unwrap (RFC 3394): the key, or an integrity failure for a wrong KEK or damaged data.
pub fn unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    check_kek(kek)?;
    if wrapped.len() < 24 || !wrapped.len().is_multiple_of(8) {
        return Err(failed());
    }
    let (a, key) = unwrap_with(kek, wrapped);
    if a != DEFAULT_IV {
        return Err(failed());
    }
    Ok(key)
}

/// AES key wrap with padding (RFC 5649) of a key of any length from 1 byte.
pub fn wrap_pad(kek: &[u8], key: &[u8]) -> Result<Vec<u8>, CryptoError> {
    check_kek(kek)?;
    if key.is_empty() || key.len() > u32::MAX as usize {
        return Err(CryptoError::Length {
            what: "key to wrap",
            expected: 1,
            actual: key.len(),
        });
    }
    let mut iv = [0u8; 8];
    iv[..4].copy_from_slice(&PAD_IV);
    iv[4..].copy_from_slice(&(key.len() as u32).to_be_bytes());
    let mut padded = Zeroizing::new(key.to_vec());
    padded.resize(key.len().next_multiple_of(8), 0);
    if padded.len() == 8 {
        // One block: AES-ECB of the initial value and the padded key (section 4.1).
        let mut buffer = Zeroizing::new([0u8; 16]);
        buffer[..8].copy_from_slice(&iv);
        buffer[8..].copy_from_slice(&padded);
        block(kek, &mut buffer, true);
        return Ok(buffer.to_vec());
    }
    Ok(wrap_with(kek, iv, &padded))
}

/// AES key unwrap with padding (RFC 5649): the key, or an integrity failure.
pub fn unwrap_pad(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    check_kek(kek)?;
    if wrapped.len() < 16 || !wrapped.len().is_multiple_of(8) {
        return Err(failed());
    }
    let (iv, padded) = if wrapped.len() == 16 {
        let mut buffer = Zeroizing::new([0u8; 16]);
        buffer.copy_from_slice(wrapped);
        block(kek, &mut buffer, false);
        let mut iv = [0u8; 8];
        iv.copy_from_slice(&buffer[..8]);
        (iv, Zeroizing::new(buffer[8..].to_vec()))
    } else {
        unwrap_with(kek, wrapped)
    };
    let length = u32::from_be_bytes([iv[4], iv[5], iv[6], iv[7]]) as usize;
    let fits = iv[..4] == PAD_IV
        && length <= padded.len()
        && length > padded.len().saturating_sub(8)
        && padded[length..].iter().all(|byte| *byte == 0);
    if !fits {
        return Err(failed());
    }
    let mut key = padded;
    key.truncate(length);
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    // RFC 3394 section 4.6: 256-bit key data with a 256-bit KEK.
    #[test]
    fn rfc3394_vector() {
        let kek = hex!("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
        let key = hex!("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
        let wrapped = hex!(
            "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21"
        );
        assert_eq!(wrap(&kek, &key).expect("wrap"), wrapped);
        assert_eq!(&unwrap(&kek, &wrapped).expect("unwrap")[..], key);
        let mut broken = wrapped;
        broken[5] ^= 1;
        assert!(unwrap(&kek, &broken).is_err());
    }

    // RFC 5649 section 6: both examples (192-bit KEK).
    #[test]
    fn rfc5649_vectors() {
        let kek = hex!("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8");
        for (key, wrapped) in [
            (
                &hex!("c37b7e6492584340bed12207808941155068f738")[..],
                &hex!("138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a")[..],
            ),
            (
                &hex!("466f7250617369")[..],
                &hex!("afbeb0f07dfbf5419200f2ccb50bb24f")[..],
            ),
        ] {
            assert_eq!(wrap_pad(&kek, key).expect("wrap"), wrapped);
            assert_eq!(&unwrap_pad(&kek, wrapped).expect("unwrap")[..], key);
            let mut broken = wrapped.to_vec();
            broken[3] ^= 0x80;
            assert!(unwrap_pad(&kek, &broken).is_err());
            assert!(unwrap_pad(&kek[..16], wrapped).is_err());
        }
    }

    #[test]
    fn odd_sizes_round_trip_and_bad_sizes_are_errors() {
        let kek = [7u8; 32];
        for len in [1usize, 8, 9, 15, 16, 17, 1217] {
            let key: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let wrapped = wrap_pad(&kek, &key).expect("wrap");
            assert_eq!(&unwrap_pad(&kek, &wrapped).expect("unwrap")[..], key);
        }
        assert!(unwrap_pad(&kek, &[0u8; 15]).is_err());
        assert!(unwrap(&kek, &[0u8; 16]).is_err());
        assert!(wrap(&kek, &[0u8; 12]).is_err());
        assert!(wrap_pad(&[0u8; 5], b"key").is_err());
    }
}
