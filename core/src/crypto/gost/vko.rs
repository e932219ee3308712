//! VKO key agreement: VKO GOST R 34.10-2001 (RFC 4357 section 5.2) and VKO GOST R 34.10-2012
//! (RFC 7836 section 4.3, R 50.1.113-2016).
//!
//! Both compute K = (cofactor · UKM · x mod q) · Y for the own private key x and the peer's public
//! key Y, and hash the point `x ‖ y` (little-endian coordinates): with GOST R 34.11-94 (CryptoPro
//! parameters) for 2001, with Streebog-256 or -512 for 2012.

use digest::Digest;
use zeroize::Zeroizing;

use super::r3410::{PrivateKey, PublicKey, uint_from_le, uint_to_le, with_curve};
use crate::error::CryptoError;

/// The shared point K as `x ‖ y`, little-endian coordinates.
fn shared_point(
    own: &PrivateKey,
    peer: &PublicKey,
    ukm: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if own.param_set() != peer.param_set() {
        return Err(CryptoError::ParamSetMismatch);
    }
    if ukm.iter().all(|byte| *byte == 0) {
        return Err(CryptoError::ZeroUkm);
    }
    let len = own.param_set().coordinate_len();
    if ukm.len() > len {
        return Err(CryptoError::Length {
            what: "UKM",
            expected: len,
            actual: ukm.len(),
        });
    }
    with_curve!(own.param_set(), |curve| {
        let mut padded = Zeroizing::new(vec![0u8; len]);
        padded[..ukm.len()].copy_from_slice(ukm);
        let to_scalar = |value| super::ec::Scalar::new(value, &curve.scalars);
        let ukm = uint_from_le(&padded);
        let cofactor = crypto_bigint::Uint::from_u32(curve.cofactor);
        let multiplier = Zeroizing::new(
            to_scalar(&cofactor)
                .mul(&to_scalar(&ukm))
                .mul(&to_scalar(&own.scalar()))
                .retrieve(),
        );
        let point = curve.mul(&peer.point(curve), &multiplier);
        let (x, y) = curve
            .to_affine(&point)
            .ok_or(CryptoError::PublicKeyInvalid)?;
        let mut encoded = Zeroizing::new(uint_to_le(&x));
        encoded.extend(uint_to_le(&y));
        Ok(encoded)
    })
}

/// VKO GOST R 34.10-2001: a 256-bit key-encryption key from a 2001 (256-bit) key pair and an
/// 8-byte UKM (as carried in the key transport structure, little-endian).
pub fn vko_2001(
    own: &PrivateKey,
    peer: &PublicKey,
    ukm: &[u8; 8],
) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    if own.param_set().bits() != 256 {
        return Err(CryptoError::ParamSetMismatch);
    }
    let point = shared_point(own, peer, ukm)?;
    Ok(Zeroizing::new(
        gost94::Gost94CryptoPro::digest(&point[..]).into(),
    ))
}

/// VKO GOST R 34.10-2012 with a 256-bit result (Streebog-256 of the shared point).
pub fn vko_2012_256(
    own: &PrivateKey,
    peer: &PublicKey,
    ukm: &[u8],
) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    let point = shared_point(own, peer, ukm)?;
    Ok(Zeroizing::new(
        streebog::Streebog256::digest(&point[..]).into(),
    ))
}

/// VKO GOST R 34.10-2012 with a 512-bit result (Streebog-512 of the shared point).
pub fn vko_2012_512(
    own: &PrivateKey,
    peer: &PublicKey,
    ukm: &[u8],
) -> Result<Zeroizing<[u8; 64]>, CryptoError> {
    let point = shared_point(own, peer, ukm)?;
    Ok(Zeroizing::new(
        streebog::Streebog512::digest(&point[..]).into(),
    ))
}
