//! GOST R 34.13-2015 modes for the GOST R 34.12-2015 block ciphers Kuznyechik and Magma (RustCrypto's
//! `kuznyechik` and `magma`): CTR, CTR-ACPKM (R 1323565.1.017-2018), OMAC (the standard's MAC, a
//! CMAC), and the KExp15/KImp15 key export (R 1323565.1.017-2018, used by RFC 9337 CMS).

use cipher::{Array, BlockCipherEncrypt, BlockSizeUser, KeyInit};
use zeroize::{Zeroize, Zeroizing};

use super::gost28147::constant_time_eq;
use crate::error::CryptoError;

/// A GOST R 34.12-2015 block cipher.
pub trait Cipher3412: BlockCipherEncrypt + KeyInit + BlockSizeUser {
    /// The block size in bytes: 16 for Kuznyechik, 8 for Magma.
    const BLOCK: usize;
    /// The constant of the OMAC subkey derivation (GOST R 34.13 section 5.4.1): B128 or B64.
    const OMAC_CONSTANT: u8;
    /// The standard name, for messages.
    const NAME: &'static str;
}

impl Cipher3412 for kuznyechik::Kuznyechik {
    const BLOCK: usize = 16;
    const OMAC_CONSTANT: u8 = 0x87;
    const NAME: &'static str = "Kuznyechik";
}

impl Cipher3412 for magma::Magma {
    const BLOCK: usize = 8;
    const OMAC_CONSTANT: u8 = 0x1B;
    const NAME: &'static str = "Magma";
}

/// The 256-bit key of a GOST R 34.12 cipher.
pub type Key = [u8; 32];

fn new_cipher<C: Cipher3412>(key: &Key) -> C {
    C::new(
        key[..]
            .try_into()
            .expect("GOST R 34.12 ciphers take 256-bit keys"),
    )
}

/// One block of `C` inside a buffer whose length is a whole number of blocks.
fn block_mut<C: Cipher3412>(block: &mut [u8]) -> &mut Array<u8, C::BlockSize> {
    block.try_into().expect("a slice of exactly one block")
}

/// The ACPKM key transformation (R 1323565.1.017-2018 section 4.1): the next section's key is the
/// constants D = 80 81 .. 9F encrypted block by block under the current key.
fn acpkm_next_key<C: Cipher3412>(cipher: &C) -> Zeroizing<Key> {
    let mut key = Zeroizing::new([0u8; 32]);
    for (index, byte) in key.iter_mut().enumerate() {
        *byte = 0x80 + index as u8;
    }
    for block in key.chunks_exact_mut(C::BLOCK) {
        cipher.encrypt_block(block_mut::<C>(block));
    }
    key
}

/// Blocks of key stream produced at once: lets the cipher use its parallel backend.
const BATCH_BLOCKS: usize = 64;

/// CTR mode (GOST R 34.13 section 4.4) with, optionally, ACPKM re-keying after every section of
/// `section_len` bytes (R 1323565.1.017-2018 section 4.1). Streaming; encryption and decryption are
/// the same operation.
pub struct Ctr<C: Cipher3412> {
    cipher: C,
    /// The counter as a big-endian number of one block.
    counter: Vec<u8>,
    section_blocks: Option<usize>,
    blocks_in_section: usize,
    keystream: Zeroizing<Vec<u8>>,
    position: usize,
}

impl<C: Cipher3412> Ctr<C> {
    /// Plain CTR: `iv` is half a block (8 bytes for Kuznyechik, 4 for Magma).
    pub fn new(key: &Key, iv: &[u8]) -> Result<Self, CryptoError> {
        Self::with_sections(key, iv, None)
    }

    /// CTR-ACPKM with sections of `section_len` bytes, a whole number of blocks.
    pub fn acpkm(key: &Key, iv: &[u8], section_len: usize) -> Result<Self, CryptoError> {
        if section_len == 0 || !section_len.is_multiple_of(C::BLOCK) {
            return Err(CryptoError::Length {
                what: "ACPKM section",
                expected: section_len.next_multiple_of(C::BLOCK).max(C::BLOCK),
                actual: section_len,
            });
        }
        Self::with_sections(key, iv, Some(section_len / C::BLOCK))
    }

    fn with_sections(
        key: &Key,
        iv: &[u8],
        section_blocks: Option<usize>,
    ) -> Result<Self, CryptoError> {
        if iv.len() != C::BLOCK / 2 {
            return Err(CryptoError::Length {
                what: "CTR initialisation vector",
                expected: C::BLOCK / 2,
                actual: iv.len(),
            });
        }
        let mut counter = vec![0u8; C::BLOCK];
        counter[..iv.len()].copy_from_slice(iv);
        Ok(Self {
            cipher: new_cipher(key),
            counter,
            section_blocks,
            blocks_in_section: 0,
            keystream: Zeroizing::new(Vec::with_capacity(BATCH_BLOCKS * C::BLOCK)),
            position: 0,
        })
    }

    fn increment(counter: &mut [u8]) {
        for byte in counter.iter_mut().rev() {
            *byte = byte.wrapping_add(1);
            if *byte != 0 {
                break;
            }
        }
    }

    fn refill(&mut self) {
        if let Some(section) = self.section_blocks
            && self.blocks_in_section == section
        {
            let key = acpkm_next_key(&self.cipher);
            self.cipher = new_cipher(&key);
            self.blocks_in_section = 0;
        }
        let blocks = match self.section_blocks {
            Some(section) => BATCH_BLOCKS.min(section - self.blocks_in_section),
            None => BATCH_BLOCKS,
        };
        self.keystream.clear();
        for _ in 0..blocks {
            self.keystream.extend_from_slice(&self.counter);
            Self::increment(&mut self.counter);
        }
        let (chunks, _) = Array::<u8, C::BlockSize>::slice_as_chunks_mut(&mut self.keystream);
        self.cipher.encrypt_blocks(chunks);
        self.blocks_in_section += blocks;
        self.position = 0;
    }

    /// XORs the key stream into `data`.
    pub fn apply(&mut self, data: &mut [u8]) {
        let mut data = data;
        while !data.is_empty() {
            if self.position == self.keystream.len() {
                self.refill();
            }
            let take = data.len().min(self.keystream.len() - self.position);
            let (now, rest) = data.split_at_mut(take);
            for (byte, key) in now
                .iter_mut()
                .zip(&self.keystream[self.position..self.position + take])
            {
                *byte ^= key;
            }
            self.position += take;
            data = rest;
        }
    }
}

impl<C: Cipher3412> Drop for Ctr<C> {
    fn drop(&mut self) {
        self.counter.zeroize();
    }
}

/// OMAC, the message authentication code of GOST R 34.13 section 4.6 (a CMAC). Streaming.
pub struct Omac<C: Cipher3412> {
    cipher: C,
    k1: Zeroizing<Vec<u8>>,
    k2: Zeroizing<Vec<u8>>,
    state: Zeroizing<Vec<u8>>,
    /// The last block seen, kept back until it is known whether it is the final one.
    pending: Zeroizing<Vec<u8>>,
}

impl<C: Cipher3412> Omac<C> {
    /// OMAC under `key`.
    pub fn new(key: &Key) -> Self {
        let cipher: C = new_cipher(key);
        let mut r = vec![0u8; C::BLOCK];
        cipher.encrypt_block(block_mut::<C>(&mut r));
        let k1 = Zeroizing::new(Self::double(&r));
        let k2 = Zeroizing::new(Self::double(&k1));
        r.zeroize();
        Self {
            cipher,
            k1,
            k2,
            state: Zeroizing::new(vec![0u8; C::BLOCK]),
            pending: Zeroizing::new(Vec::with_capacity(C::BLOCK)),
        }
    }

    /// Shift left by one bit; XOR the constant in when the top bit fell out.
    fn double(block: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; block.len()];
        let mut carry = 0u8;
        for (out, byte) in out.iter_mut().zip(block).rev() {
            *out = (byte << 1) | carry;
            carry = byte >> 7;
        }
        let last = out.len() - 1;
        out[last] ^= C::OMAC_CONSTANT & 0u8.wrapping_sub(carry);
        out
    }

    fn absorb(&mut self, block: &[u8]) {
        for (state, byte) in self.state.iter_mut().zip(block) {
            *state ^= byte;
        }
        self.cipher.encrypt_block(block_mut::<C>(&mut self.state));
    }

    /// Adds data.
    pub fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.pending.len() == C::BLOCK {
                let block = std::mem::take(&mut *self.pending);
                self.absorb(&block);
                *self.pending = block;
                self.pending.clear();
            }
            let take = (C::BLOCK - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
    }

    /// The full-block MAC; protocols keep its leading bytes.
    pub fn finalize(mut self) -> Vec<u8> {
        let mut last = Zeroizing::new(vec![0u8; C::BLOCK]);
        let subkey = if self.pending.len() == C::BLOCK {
            last.copy_from_slice(&self.pending);
            self.k1.clone()
        } else {
            last[..self.pending.len()].copy_from_slice(&self.pending);
            last[self.pending.len()] = 0x80;
            self.k2.clone()
        };
        for (byte, key) in last.iter_mut().zip(subkey.iter()) {
            *byte ^= key;
        }
        self.absorb(&last);
        self.state.to_vec()
    }
}

/// KExp15 (R 1323565.1.017-2018 section 4.2): `CTR(K_enc, IV, K ‖ OMAC(K_mac, IV ‖ K))`; the IV is
/// half a block.
pub fn kexp15<C: Cipher3412>(
    key: &[u8],
    mac_key: &Key,
    enc_key: &Key,
    iv: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let mut omac = Omac::<C>::new(mac_key);
    omac.update(iv);
    omac.update(key);
    let mut exported = key.to_vec();
    exported.extend(omac.finalize());
    Ctr::<C>::new(enc_key, iv)?.apply(&mut exported);
    Ok(exported)
}

/// KImp15, the inverse of [`kexp15`]: returns the key after checking its MAC.
pub fn kimp15<C: Cipher3412>(
    exported: &[u8],
    mac_key: &Key,
    enc_key: &Key,
    iv: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if exported.len() <= C::BLOCK {
        return Err(CryptoError::Length {
            what: "exported key",
            expected: 32 + C::BLOCK,
            actual: exported.len(),
        });
    }
    let mut plain = Zeroizing::new(exported.to_vec());
    Ctr::<C>::new(enc_key, iv)?.apply(&mut plain);
    let key_len = plain.len() - C::BLOCK;
    let mut omac = Omac::<C>::new(mac_key);
    omac.update(iv);
    omac.update(&plain[..key_len]);
    let mac = omac.finalize();
    if !constant_time_eq(&mac, &plain[key_len..]) {
        return Err(CryptoError::IntegrityCheckFailed {
            what: "exported key",
        });
    }
    plain.truncate(key_len);
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use hex_literal::hex;
    use kuznyechik::Kuznyechik;
    use magma::Magma;

    use super::*;

    const KUZNYECHIK_KEY: Key =
        hex!("8899aabbccddeeff0011223344556677fedcba98765432100123456789abcdef");
    const MAGMA_KEY: Key = hex!("ffeeddccbbaa99887766554433221100f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");

    fn ctr<C: Cipher3412>(
        key: &Key,
        iv: &[u8],
        data: &[u8],
        section: Option<usize>,
        piece: usize,
    ) -> Vec<u8> {
        let mut out = data.to_vec();
        let mut ctr = match section {
            Some(len) => Ctr::<C>::acpkm(key, iv, len).expect("parameters"),
            None => Ctr::<C>::new(key, iv).expect("parameters"),
        };
        for chunk in out.chunks_mut(piece) {
            ctr.apply(chunk);
        }
        out
    }

    #[test]
    fn ctr_examples_of_gost_r_34_13() {
        // GOST R 34.13-2015 appendix A.1.2 (Kuznyechik) and A.2.2 (Magma).
        let plaintext = hex!(
            "1122334455667700ffeeddccbbaa998800112233445566778899aabbcceeff0a"
            "112233445566778899aabbcceeff0a002233445566778899aabbcceeff0a0011"
        );
        let expected = hex!(
            "f195d8bec10ed1dbd57b5fa240bda1b885eee733f6a13e5df33ce4b33c45dee4"
            "a5eae88be6356ed3d5e877f13564a3a5cb91fab1f20cbab6d1c6d15820bdba73"
        );
        for piece in [1, 7, 16, 64] {
            assert_eq!(
                ctr::<Kuznyechik>(
                    &KUZNYECHIK_KEY,
                    &hex!("1234567890abcef0"),
                    &plaintext,
                    None,
                    piece
                ),
                expected
            );
        }
        let plaintext = hex!("92def06b3c130a59db54c704f8189d204a98fb2e67a8024c8912409b17b57e41");
        let expected = hex!("4e98110c97b7b93c3e250d93d6e85d69136d868807b2dbef568eb680ab52a12d");
        assert_eq!(
            ctr::<Magma>(&MAGMA_KEY, &hex!("12345678"), &plaintext, None, 5),
            expected
        );
        assert!(Ctr::<Magma>::new(&MAGMA_KEY, &[0; 8]).is_err());
        assert!(Ctr::<Kuznyechik>::acpkm(&KUZNYECHIK_KEY, &[0; 8], 20).is_err());
    }

    #[test]
    fn ctr_acpkm_examples_of_r_1323565_1_017() {
        // R 1323565.1.017-2018 appendix A: sections of two blocks, the key 8899..cdef for both ciphers.
        let key = KUZNYECHIK_KEY;
        let plaintext = hex!(
            "1122334455667700FFEEDDCCBBAA998800112233445566778899AABBCCEEFF0A"
            "112233445566778899AABBCCEEFF0A002233445566778899AABBCCEEFF0A0011"
            "33445566778899AABBCCEEFF0A001122445566778899AABBCCEEFF0A00112233"
            "5566778899AABBCCEEFF0A0011223344"
        );
        let expected = hex!(
            "F195D8BEC10ED1DBD57B5FA240BDA1B885EEE733F6A13E5DF33CE4B33C45DEE4"
            "4BCEEB8F646F4C55001706275E85E800587C4DF568D094393E4834AFD0805046"
            "CF30F57686AEECE11CFC6C316B8A896EDFFD07EC813636460C4F3B743423163E"
            "6409A9C282FAC8D469D221E7FBD6DE5D"
        );
        for piece in [1, 13, 32, 200] {
            assert_eq!(
                ctr::<Kuznyechik>(&key, &hex!("1234567890ABCEF0"), &plaintext, Some(32), piece),
                expected
            );
        }
        let plaintext = hex!(
            "1122334455667700FFEEDDCCBBAA998800112233445566778899AABBCCEEFF0A"
            "112233445566778899AABBCCEEFF0A002233445566778899"
        );
        let expected = hex!(
            "2AB81DEEEB1E4CAB68E104C4BD6B94EAC72C67AF6C2E5B6B0EAFB61770F1B32E"
            "A1AE71149EED1382ABD467180672EC6F84A2F15B3FCA72C1"
        );
        assert_eq!(
            ctr::<Magma>(&key, &hex!("12345678"), &plaintext, Some(16), 3),
            expected
        );
        // The key sequence of the example.
        let magma_keys = [
            hex!("863EA017842C3D372B18A85A28E2317D74BEFC107720DE0C9E8AB974ABD00CA0"),
            hex!("49A5E2677DE555982B8AD5E826652D17EEC847BF5B3997A81CF7FE7F1187BD27"),
            hex!("3256BF3F97B5667426A9FB1C5EAABE41893CCDD5A868F9B63B0AA90720FA43C4"),
        ];
        let mut current = key;
        for expected in magma_keys {
            current = *acpkm_next_key(&new_cipher::<Magma>(&current));
            assert_eq!(current, expected);
        }
        let kuznyechik_keys = [
            hex!("2666ED40AE687811745CA0B448F57A7B390ADB5780307E8E9659AC403AE60C60"),
            hex!("BB3DD5402E999B7A3DEBB0DB45448EC530F07365DFEE3ABA8415F77AC8F34CE8"),
            hex!("23362FD553CAD2178299A5B5A2D4722E3BB83C730A8BF57CE2DD004017F8C565"),
        ];
        let mut current = key;
        for expected in kuznyechik_keys {
            current = *acpkm_next_key(&new_cipher::<Kuznyechik>(&current));
            assert_eq!(current, expected);
        }
    }

    #[test]
    fn omac_examples_of_gost_r_34_13() {
        // GOST R 34.13-2015 appendix A.1.6 and A.2.6 (the MACs truncated to half a block there).
        let plaintext = hex!(
            "1122334455667700ffeeddccbbaa998800112233445566778899aabbcceeff0a"
            "112233445566778899aabbcceeff0a002233445566778899aabbcceeff0a0011"
        );
        let omac = Omac::<Kuznyechik>::new(&KUZNYECHIK_KEY);
        assert_eq!(*omac.k1, hex!("297d82bc4d39e3ca0de0573298151dc7"));
        assert_eq!(*omac.k2, hex!("52fb05789a73c7941bc0ae65302a3b8e"));
        let mut omac = omac;
        for piece in plaintext.chunks(11) {
            omac.update(piece);
        }
        assert_eq!(omac.finalize()[..8], hex!("336f4d296059fbe3"));

        let plaintext = hex!("92def06b3c130a59db54c704f8189d204a98fb2e67a8024c8912409b17b57e41");
        let mut omac = Omac::<Magma>::new(&MAGMA_KEY);
        assert_eq!(*omac.k1, hex!("5f459b3342521424"));
        assert_eq!(*omac.k2, hex!("be8b366684a42848"));
        omac.update(&plaintext);
        assert_eq!(omac.finalize()[..4], hex!("154e7210"));
    }

    #[test]
    fn kexp15_examples_of_r_1323565_1_017() {
        // R 1323565.1.017-2018 appendix B (also gost-engine's test_keyexpimp.c).
        let key = hex!("8899AABBCCDDEEFF0011223344556677FEDCBA98765432100123456789ABCDEF");
        let mac_key = hex!("08090A0B0C0D0E0F0001020304050607101112131415161718191A1B1C1D1E1F");
        let enc_key = hex!("202122232425262728292A2B2C2D2E2F38393A3B3C3D3E3F3031323334353637");
        let magma = hex!(
            "CFD5A12D5B81B6E1E99C916D07900C6AC12703FB3ABDED55567BF3742C899C75"
            "5DAFE7B42E3A8BD9"
        );
        let iv = hex!("67BED654");
        assert_eq!(
            kexp15::<Magma>(&key, &mac_key, &enc_key, &iv).expect("export"),
            magma
        );
        assert_eq!(
            *kimp15::<Magma>(&magma, &mac_key, &enc_key, &iv).expect("import"),
            key
        );
        let kuznyechik = hex!(
            "E36184E84E8D736FF36CC2E5AE065DC656B23C20F549B02FDFF88E1F3F30D8C2"
            "9A53F3CA554DBAD80DE152B9A4625B32"
        );
        let iv = hex!("0909472DD9F26BE8");
        assert_eq!(
            kexp15::<Kuznyechik>(&key, &mac_key, &enc_key, &iv).expect("export"),
            kuznyechik
        );
        assert_eq!(
            *kimp15::<Kuznyechik>(&kuznyechik, &mac_key, &enc_key, &iv).expect("import"),
            key
        );

        let mut tampered = kuznyechik;
        tampered[3] ^= 1;
        assert_eq!(
            kimp15::<Kuznyechik>(&tampered, &mac_key, &enc_key, &iv).err(),
            Some(CryptoError::IntegrityCheckFailed {
                what: "exported key"
            })
        );
        assert!(matches!(
            kimp15::<Kuznyechik>(&kuznyechik[..16], &mac_key, &enc_key, &iv),
            Err(CryptoError::Length { .. })
        ));
        assert!(matches!(
            kimp15::<Magma>(&magma, &mac_key, &enc_key, &[0; 8]),
            Err(CryptoError::Length { .. })
        ));
    }
}
