//! Content ciphers of CMS documents, streaming: the encrypted content is fed in pieces of any size and
//! plaintext comes out as soon as it is certain (CBC holds back its last block for the padding; GCM
//! and OMAC check their tag at the end, so their output must stay provisional until then).

use cipher::array::Array;
use cipher::{BlockModeDecrypt, KeyIvInit, StreamCipher};
use zeroize::Zeroizing;

use super::CmsError;
use crate::crypto::gost::gost28147::{Cfb, KeyMeshing, Sbox};
use crate::crypto::gost::r3413::{Cipher3412, Ctr, Omac};

/// How the content was encrypted, as its AlgorithmIdentifier says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentCipher {
    /// AES-CBC (key length 16, 24 or 32) with PKCS#7 padding.
    AesCbc {
        /// Key length in bytes.
        key_len: usize,
        /// The IV.
        iv: [u8; 16],
    },
    /// Triple DES (EDE3) CBC with PKCS#7 padding.
    DesEde3Cbc {
        /// The IV.
        iv: [u8; 8],
    },
    /// AES-GCM (AuthEnvelopedData), RFC 5084.
    AesGcm {
        /// Key length in bytes.
        key_len: usize,
        /// The nonce.
        nonce: Vec<u8>,
        /// The tag length.
        tag_len: usize,
    },
    /// GOST 28147-89 CFB with CryptoPro key meshing (RFC 4357), no padding.
    Gost28147Cfb {
        /// The IV.
        iv: [u8; 8],
        /// The S-box.
        sbox: Sbox,
    },
    /// Kuznyechik (`block` 16) or Magma (`block` 8) CTR-ACPKM, RFC 9337; with OMAC when `omac`.
    CtrAcpkm {
        /// Block length: 16 Kuznyechik, 8 Magma.
        block: usize,
        /// The IV (half a block).
        iv: Vec<u8>,
        /// The KDF seed (for the OMAC variant's key derivation).
        kdf_seed: [u8; 8],
        /// Whether the content carries an OMAC.
        omac: bool,
    },
}

impl ContentCipher {
    /// The content-encryption key's length.
    pub fn key_len(&self) -> usize {
        match self {
            Self::AesCbc { key_len, .. } | Self::AesGcm { key_len, .. } => *key_len,
            Self::DesEde3Cbc { .. } => 24,
            Self::Gost28147Cfb { .. } | Self::CtrAcpkm { .. } => 32,
        }
    }

    /// A name people know.
    pub fn name(&self) -> String {
        match self {
            Self::AesCbc { key_len, .. } => format!("AES-{}-CBC", key_len * 8),
            Self::DesEde3Cbc { .. } => "3DES-CBC".to_owned(),
            Self::AesGcm { key_len, .. } => format!("AES-{}-GCM", key_len * 8),
            Self::Gost28147Cfb { .. } => "GOST 28147-89 CFB".to_owned(),
            Self::CtrAcpkm { block, omac, .. } => format!(
                "{} CTR-ACPKM{}",
                if *block == 16 { "Kuznyechik" } else { "Magma" },
                if *omac { "-OMAC" } else { "" }
            ),
        }
    }
}

/// Which CTR-ACPKM key stream the content is decrypted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyStream {
    /// The standard's (R 1323565.1.017-2018, with RFC 9337's sections: 4 KiB Kuznyechik, 1 KiB
    /// Magma).
    #[default]
    Standard,
    /// The one OpenSSL's GOST engine 3.0.x encrypts CMS content with (`docs/gost-acpkm-openssl.md`):
    /// Kuznyechik never re-keyed, Magma re-keyed every 8 KiB. The same as the standard's within the
    /// first section.
    OpensslGostEngine30,
}

/// A content decryptor: `update` with every piece, then `finish` with the tag (GCM, OMAC).
pub trait Decrypt {
    /// Decrypts `data`, appending the plaintext that is certain to `out`.
    fn update(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), CmsError>;
    /// Ends the content: padding removed, tag checked (`tag` from the document when there is one).
    fn finish(self: Box<Self>, tag: Option<&[u8]>, out: &mut Vec<u8>) -> Result<(), CmsError>;
}

/// A decryptor for `cipher` with the content-encryption key `key` (CTR-ACPKM with `stream`'s key
/// stream; other ciphers have one).
pub fn decryptor(
    cipher: &ContentCipher,
    key: &[u8],
    stream: KeyStream,
) -> Result<Box<dyn Decrypt>, CmsError> {
    if key.len() != cipher.key_len() {
        return Err(CmsError::WrongKey);
    }
    Ok(match cipher {
        ContentCipher::AesCbc { key_len: 16, iv } => Box::new(Cbc::<aes::Aes128>::new(key, iv)?),
        ContentCipher::AesCbc { key_len: 24, iv } => Box::new(Cbc::<aes::Aes192>::new(key, iv)?),
        ContentCipher::AesCbc { iv, .. } => Box::new(Cbc::<aes::Aes256>::new(key, iv)?),
        ContentCipher::DesEde3Cbc { iv } => Box::new(Cbc::<des::TdesEde3>::new(key, iv)?),
        ContentCipher::AesGcm {
            key_len,
            nonce,
            tag_len,
        } => match key_len {
            16 => Box::new(Gcm::<aes::Aes128>::new(key, nonce, *tag_len)?),
            24 => Box::new(Gcm::<aes::Aes192>::new(key, nonce, *tag_len)?),
            _ => Box::new(Gcm::<aes::Aes256>::new(key, nonce, *tag_len)?),
        },
        ContentCipher::Gost28147Cfb { iv, sbox } => {
            let key: &[u8; 32] = key.try_into().map_err(|_| CmsError::WrongKey)?;
            Box::new(GostCfb(Cfb::new(key, iv, *sbox, KeyMeshing::CryptoPro)))
        }
        ContentCipher::CtrAcpkm {
            block,
            iv,
            kdf_seed,
            omac,
        } => {
            let key: &[u8; 32] = key.try_into().map_err(|_| CmsError::WrongKey)?;
            if *block == 16 {
                Box::new(Acpkm::<kuznyechik::Kuznyechik>::new(
                    key, iv, kdf_seed, *omac, stream,
                )?)
            } else {
                Box::new(Acpkm::<magma::Magma>::new(
                    key, iv, kdf_seed, *omac, stream,
                )?)
            }
        }
    })
}

/// CBC with PKCS#7 padding; the last whole block is held back until `finish`.
struct Cbc<C: cipher::BlockCipherDecrypt + cipher::KeyInit> {
    mode: cbc::Decryptor<C>,
    pending: Zeroizing<Vec<u8>>,
}

impl<C: cipher::BlockCipherDecrypt + cipher::KeyInit> Cbc<C> {
    fn new(key: &[u8], iv: &[u8]) -> Result<Self, CmsError> {
        Ok(Self {
            mode: cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| CmsError::WrongKey)?,
            pending: Zeroizing::new(Vec::new()),
        })
    }
}

impl<C: cipher::BlockCipherDecrypt + cipher::KeyInit> Decrypt for Cbc<C> {
    fn update(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), CmsError> {
        let block = <C as cipher::BlockSizeUser>::block_size();
        self.pending.extend_from_slice(data);
        // Everything but the last whole block (it may end with the padding).
        let ready = (self.pending.len().saturating_sub(1) / block) * block;
        if ready == 0 {
            return Ok(());
        }
        let start = out.len();
        out.extend_from_slice(&self.pending[..ready]);
        let (blocks, _) = Array::<u8, C::BlockSize>::slice_as_chunks_mut(&mut out[start..]);
        self.mode.decrypt_blocks(blocks);
        self.pending.drain(..ready);
        Ok(())
    }

    fn finish(mut self: Box<Self>, _tag: Option<&[u8]>, out: &mut Vec<u8>) -> Result<(), CmsError> {
        let block = <C as cipher::BlockSizeUser>::block_size();
        if self.pending.len() != block {
            return Err(CmsError::Corrupted {
                reason: "the encrypted content is not a whole number of cipher blocks",
            });
        }
        let (blocks, _) = Array::<u8, C::BlockSize>::slice_as_chunks_mut(&mut self.pending);
        self.mode.decrypt_blocks(blocks);
        let pad = usize::from(self.pending[block - 1]);
        if pad == 0
            || pad > block
            || self.pending[block - pad..]
                .iter()
                .any(|b| usize::from(*b) != pad)
        {
            // A wrong key shows here: the padding of the last block does not come out right.
            return Err(CmsError::WrongKey);
        }
        out.extend_from_slice(&self.pending[..block - pad]);
        Ok(())
    }
}

/// GOST 28147-89 CFB: a stream, nothing held back.
struct GostCfb(Cfb);

impl Decrypt for GostCfb {
    fn update(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), CmsError> {
        let start = out.len();
        out.extend_from_slice(data);
        self.0.decrypt(&mut out[start..]);
        Ok(())
    }

    fn finish(self: Box<Self>, _tag: Option<&[u8]>, _out: &mut Vec<u8>) -> Result<(), CmsError> {
        Ok(())
    }
}

/// AES-GCM (NIST SP 800-38D) without associated data, as CMS AuthEnvelopedData uses it when there are
/// no authenticated attributes: CTR from inc32(J0) and GHASH over the ciphertext, checked at the end.
struct Gcm<
    C: cipher::BlockCipherEncrypt
        + cipher::KeyInit
        + cipher::BlockSizeUser<BlockSize = cipher::consts::U16>,
> {
    ctr: ctr::Ctr32BE<C>,
    ghash: ghash::GHash,
    /// Ciphertext not yet a whole block for GHASH.
    partial: Vec<u8>,
    len: u64,
    tag_mask: Zeroizing<[u8; 16]>,
    tag_len: usize,
}

impl<C> Gcm<C>
where
    C: cipher::BlockCipherEncrypt
        + cipher::KeyInit
        + cipher::BlockSizeUser<BlockSize = cipher::consts::U16>,
{
    fn new(key: &[u8], nonce: &[u8], tag_len: usize) -> Result<Self, CmsError> {
        use ghash::universal_hash::UniversalHash;
        if !(12..=16).contains(&tag_len) {
            return Err(CmsError::Unsupported {
                what: format!("AES-GCM with a {tag_len}-byte tag"),
            });
        }
        let cipher = C::new_from_slice(key).map_err(|_| CmsError::WrongKey)?;
        let mut h = Array::<u8, cipher::consts::U16>::default();
        cipher.encrypt_block(&mut h);
        let ghash = ghash::GHash::new(&h);
        // J0: nonce ‖ 0³¹1 for 96-bit nonces, GHASH(nonce) otherwise.
        let mut j0 = [0u8; 16];
        if nonce.len() == 12 {
            j0[..12].copy_from_slice(nonce);
            j0[15] = 1;
        } else {
            let mut nonce_hash = ghash::GHash::new(&h);
            nonce_hash.update_padded(nonce);
            let mut lengths = [0u8; 16];
            lengths[8..].copy_from_slice(&((nonce.len() as u64) * 8).to_be_bytes());
            nonce_hash.update(&[Array::from(lengths)]);
            j0.copy_from_slice(&nonce_hash.finalize());
        }
        let mut tag_mask = Zeroizing::new(j0);
        let mut mask_block = Array::<u8, cipher::consts::U16>::from(*tag_mask);
        cipher.encrypt_block(&mut mask_block);
        tag_mask.copy_from_slice(&mask_block);
        let mut counter = j0;
        let low = u32::from_be_bytes([counter[12], counter[13], counter[14], counter[15]]);
        counter[12..].copy_from_slice(&low.wrapping_add(1).to_be_bytes());
        Ok(Self {
            ctr: ctr::Ctr32BE::<C>::new_from_slices(key, &counter)
                .map_err(|_| CmsError::WrongKey)?,
            ghash,
            partial: Vec::with_capacity(16),
            len: 0,
            tag_mask,
            tag_len,
        })
    }
}

impl<C> Decrypt for Gcm<C>
where
    C: cipher::BlockCipherEncrypt
        + cipher::KeyInit
        + cipher::BlockSizeUser<BlockSize = cipher::consts::U16>,
{
    fn update(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), CmsError> {
        use ghash::universal_hash::UniversalHash;
        self.len += data.len() as u64;
        // GHASH runs over the ciphertext, in whole blocks.
        let mut rest = data;
        if !self.partial.is_empty() {
            let take = (16 - self.partial.len()).min(rest.len());
            self.partial.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.partial.len() == 16 {
                let block = Array::<u8, cipher::consts::U16>::try_from(&self.partial[..])
                    .map_err(|_| CmsError::WrongKey)?;
                self.ghash.update(&[block]);
                self.partial.clear();
            }
        }
        let whole = rest.len() / 16 * 16;
        let (blocks, _) = Array::<u8, cipher::consts::U16>::slice_as_chunks(&rest[..whole]);
        self.ghash.update(blocks);
        self.partial.extend_from_slice(&rest[whole..]);
        let start = out.len();
        out.extend_from_slice(data);
        self.ctr.apply_keystream(&mut out[start..]);
        Ok(())
    }

    fn finish(mut self: Box<Self>, tag: Option<&[u8]>, _out: &mut Vec<u8>) -> Result<(), CmsError> {
        use ghash::universal_hash::UniversalHash;
        let Some(tag) = tag.filter(|tag| tag.len() == self.tag_len) else {
            return Err(CmsError::Corrupted {
                reason: "the document's authentication tag is missing or has the wrong length",
            });
        };
        if !self.partial.is_empty() {
            self.ghash.update_padded(&self.partial);
        }
        let mut lengths = [0u8; 16];
        lengths[8..].copy_from_slice(&(self.len * 8).to_be_bytes());
        self.ghash.update(&[Array::from(lengths)]);
        let ghash = std::mem::replace(&mut self.ghash, ghash::GHash::new(&Array::default()));
        let mut expected = ghash.finalize();
        for (byte, mask) in expected.iter_mut().zip(self.tag_mask.iter()) {
            *byte ^= mask;
        }
        if constant_time_eq(&expected[..self.tag_len], tag) {
            Ok(())
        } else {
            Err(CmsError::Corrupted {
                reason: "the authentication tag does not match: the document was changed or damaged, or the key is wrong",
            })
        }
    }
}

/// Kuznyechik or Magma CTR-ACPKM (RFC 9337 section 4), with OMAC over the plaintext when asked.
struct Acpkm<C: Cipher3412> {
    ctr: Ctr<C>,
    omac: Option<Omac<C>>,
}

impl<C: Cipher3412> Acpkm<C> {
    fn new(
        key: &[u8; 32],
        iv: &[u8],
        kdf_seed: &[u8; 8],
        omac: bool,
        stream: KeyStream,
    ) -> Result<Self, CmsError> {
        let ctr = |key: &[u8; 32]| -> Result<Ctr<C>, CmsError> {
            Ok(match (stream, C::BLOCK) {
                (KeyStream::Standard, 16) => Ctr::<C>::acpkm(key, iv, 4096)?,
                (KeyStream::Standard, _) => Ctr::<C>::acpkm(key, iv, 1024)?,
                (KeyStream::OpensslGostEngine30, 16) => Ctr::<C>::new(key, iv)?,
                (KeyStream::OpensslGostEngine30, _) => Ctr::<C>::acpkm(key, iv, 8192)?,
            })
        };
        if !omac {
            return Ok(Self {
                ctr: ctr(key)?,
                omac: None,
            });
        }
        // The OMAC variant derives the encryption and MAC keys from the content key (RFC 9337 4.2).
        let keys = crate::crypto::gost::kdf::kdf_tree_256(key, b"kdf tree", kdf_seed, 1, 64)?;
        let enc: &[u8; 32] = keys[..32].try_into().map_err(|_| CmsError::WrongKey)?;
        let mac: &[u8; 32] = keys[32..].try_into().map_err(|_| CmsError::WrongKey)?;
        Ok(Self {
            ctr: ctr(enc)?,
            omac: Some(Omac::<C>::new(mac)),
        })
    }
}

impl<C: Cipher3412> Decrypt for Acpkm<C> {
    fn update(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), CmsError> {
        let start = out.len();
        out.extend_from_slice(data);
        self.ctr.apply(&mut out[start..]);
        if let Some(omac) = &mut self.omac {
            omac.update(&out[start..]);
        }
        Ok(())
    }

    fn finish(self: Box<Self>, tag: Option<&[u8]>, _out: &mut Vec<u8>) -> Result<(), CmsError> {
        let mut this = *self;
        match (this.omac.take(), tag) {
            (None, _) => Ok(()),
            (Some(_), None) => Err(CmsError::Corrupted {
                reason: "the document's MAC is missing",
            }),
            (Some(omac), Some(tag)) => {
                let mac = omac.finalize();
                // The MAC travels encrypted: the key stream goes on over it after the content.
                let mut stored = Zeroizing::new(tag.to_vec());
                this.ctr.apply(&mut stored);
                if mac.len() == stored.len() && constant_time_eq(&mac, &stored) {
                    Ok(())
                } else {
                    Err(CmsError::Corrupted {
                        reason: "the MAC does not match: the document was changed or damaged",
                    })
                }
            }
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
