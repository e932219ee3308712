//! Key derivation with Streebog: HMAC-Streebog-256/512 (R 50.1.113-2016, RFC 7836 section 4.1),
//! KDF_GOSTR3411_2012_256 and KDF_TREE_GOSTR3411_2012_256 (R 50.1.113-2016 sections 4.4–4.5, RFC 7836
//! section 4.5), and PBKDF2 with HMAC-Streebog-512 (R 50.1.111-2016), which GOST PFX files and
//! CryptoPro containers use.

use hmac::{KeyInit, Mac, SimpleHmac};
use streebog::{Streebog256, Streebog512};
use zeroize::Zeroizing;

use crate::error::CryptoError;

/// HMAC with Streebog-256.
pub type HmacStreebog256 = SimpleHmac<Streebog256>;
/// HMAC with Streebog-512.
pub type HmacStreebog512 = SimpleHmac<Streebog512>;

/// HMAC-Streebog-256 of `data` under `key`.
pub fn hmac_streebog256(key: &[u8], data: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut mac = HmacStreebog256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    Zeroizing::new(mac.finalize().into_bytes().into())
}

/// HMAC-Streebog-512 of `data` under `key`.
pub fn hmac_streebog512(key: &[u8], data: &[u8]) -> Zeroizing<[u8; 64]> {
    let mut mac = HmacStreebog512::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    Zeroizing::new(mac.finalize().into_bytes().into())
}

/// KDF_GOSTR3411_2012_256(K, label, seed) = HMAC-256(K, 0x01 ‖ label ‖ 0x00 ‖ seed ‖ 0x01 ‖ 0x00).
pub fn kdf_256(key: &[u8], label: &[u8], seed: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut mac = HmacStreebog256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(&[0x01]);
    mac.update(label);
    mac.update(&[0x00]);
    mac.update(seed);
    mac.update(&[0x01, 0x00]);
    Zeroizing::new(mac.finalize().into_bytes().into())
}

/// KDF_TREE_GOSTR3411_2012_256: `len` bytes (a multiple of 32) of keying material from `key`, with an
/// `r`-byte counter (1 to 4): K(i) = HMAC-256(K, [i]_r ‖ label ‖ 0x00 ‖ seed ‖ [L]_b), L in bits.
pub fn kdf_tree_256(
    key: &[u8],
    label: &[u8],
    seed: &[u8],
    r: usize,
    len: usize,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if !(1..=4).contains(&r) {
        return Err(CryptoError::Length {
            what: "KDF_TREE counter",
            expected: 1,
            actual: r,
        });
    }
    if len == 0 || !len.is_multiple_of(32) || (len / 32) as u64 >= 1u64 << (8 * r) {
        return Err(CryptoError::Length {
            what: "KDF_TREE output",
            expected: len.next_multiple_of(32).max(32),
            actual: len,
        });
    }
    // [L]_b: the length in bits, big-endian, in as few bytes as it takes (at least one).
    let bits = (len as u64) * 8;
    let bits_bytes = bits.to_be_bytes();
    let skip = bits_bytes
        .iter()
        .take_while(|byte| **byte == 0)
        .count()
        .min(7);
    let mut out = Zeroizing::new(Vec::with_capacity(len));
    for i in 1..=(len / 32) as u32 {
        let mut mac = HmacStreebog256::new_from_slice(key).expect("HMAC takes keys of any length");
        mac.update(&i.to_be_bytes()[4 - r..]);
        mac.update(label);
        mac.update(&[0x00]);
        mac.update(seed);
        mac.update(&bits_bytes[skip..]);
        out.extend_from_slice(&mac.finalize().into_bytes());
    }
    Ok(out)
}

/// PBKDF2 (RFC 8018) with HMAC-Streebog-512 as PRF, as R 50.1.111-2016 defines it.
pub fn pbkdf2_streebog512(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    out: &mut [u8],
) -> Result<(), CryptoError> {
    if iterations == 0 {
        return Err(CryptoError::Length {
            what: "PBKDF2 iteration count",
            expected: 1,
            actual: 0,
        });
    }
    pbkdf2::pbkdf2::<HmacStreebog512>(password, salt, iterations, out).map_err(|_| {
        CryptoError::Length {
            what: "PBKDF2 output",
            expected: 64,
            actual: out.len(),
        }
    })
}

#[cfg(test)]
mod tests {
    use hex_literal::hex;

    use super::*;

    const KEY: [u8; 32] = hex!("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    #[test]
    fn hmac_examples_of_r_50_1_113() {
        // R 50.1.113-2016 appendix A.1.1 and A.1.2 (also RFC 7836 appendix A.1).
        let data = hex!("0126bdb87800af214341456563780100");
        assert_eq!(
            *hmac_streebog256(&KEY, &data),
            hex!("a1aa5f7de402d7b3d323f2991c8d4534013137010a83754fd0af6d7cd4922ed9")
        );
        assert_eq!(
            *hmac_streebog512(&KEY, &data),
            hex!(
                "a59bab22ecae19c65fbde6e5f4e9f5d8549d31f037f9df9b905500e171923a77"
                "3d5f1530f2ed7e964cb2eedc29e9ad2f3afe93b2814f79f5000ffc0366c251e6"
            )
        );
    }

    #[test]
    fn kdf_examples_of_r_50_1_113() {
        // R 50.1.113-2016 appendix A.1.3 (KDF_256) and A.1.4 (KDF_TREE, R = 1, L = 512).
        let label = hex!("26bdb878");
        let seed = hex!("af21434145656378");
        assert_eq!(
            *kdf_256(&KEY, &label, &seed),
            hex!("a1aa5f7de402d7b3d323f2991c8d4534013137010a83754fd0af6d7cd4922ed9")
        );
        assert_eq!(
            *kdf_tree_256(&KEY, &label, &seed, 1, 64).expect("KDF_TREE"),
            hex!(
                "22b6837845c6bef65ea71672b265831086d3c76aebe6dae91cad51d83f79d16b"
                "074c9330599d7f8d712fca54392f4ddde93751206b3584c8f43f9e6dc51531f9"
            )
        );
        assert!(kdf_tree_256(&KEY, &label, &seed, 0, 64).is_err());
        assert!(kdf_tree_256(&KEY, &label, &seed, 1, 33).is_err());
        assert!(kdf_tree_256(&KEY, &label, &seed, 1, 32 * 256).is_err());
    }

    #[test]
    fn pbkdf2_examples_of_r_50_1_111() {
        // R 50.1.111-2016 section 4 (tests 1 to 3).
        for (iterations, expected) in [
            (
                1,
                hex!(
                    "64770af7f748c3b1c9ac831dbcfd85c26111b30a8a657ddc3056b80ca73e040d2854fd36811f6d825cc4ab66ec0a68a490a9e5cf5156b3a2b7eecddbf9a16b47"
                ),
            ),
            (
                2,
                hex!(
                    "5a585bafdfbb6e8830d6d68aa3b43ac00d2e4aebce01c9b31c2caed56f0236d4d34b2b8fbd2c4e89d54d46f50e47d45bbac301571743119e8d3c42ba66d348de"
                ),
            ),
            (
                4096,
                hex!(
                    "e52deb9a2d2aaff4e2ac9d47a41f34c20376591c67807f0477e32549dc341bc7867c09841b6d58e29d0347c996301d55df0d34e47cf68f4e3c2cdaf1d9ab86c3"
                ),
            ),
        ] {
            let mut out = [0u8; 64];
            pbkdf2_streebog512(b"password", b"salt", iterations, &mut out).expect("PBKDF2");
            assert_eq!(out, expected, "{iterations} iterations");
        }
        assert!(pbkdf2_streebog512(b"password", b"salt", 0, &mut [0u8; 64]).is_err());
    }
}
