//! GOST R 34.10-2012 (and -2001) keys and signatures.
//!
//! Encodings follow RFC 9215 / RFC 4491 and OpenSSL's GOST engine: a private key is the scalar as
//! little-endian bytes; a public key is `x ‖ y`, each coordinate little-endian; a signature is `s ‖ r`,
//! each big-endian. The digest signed is the hash function's output as it produces it (Streebog or
//! GOST R 34.11-94), read as a little-endian integer, as those implementations do.

use std::fmt;
use std::sync::OnceLock;

use crypto_bigint::{U256, U512, Uint};
use zeroize::{Zeroize, Zeroizing};

use super::ec::{Curve, Point, Scalar};
use super::params::ParamSet;
use crate::error::CryptoError;

pub(crate) const L256: usize = U256::LIMBS;
pub(crate) const L512: usize = U512::LIMBS;

pub(crate) fn curve256(set: ParamSet) -> &'static Curve<L256> {
    static CURVES: OnceLock<Vec<Curve<L256>>> = OnceLock::new();
    let curves = CURVES.get_or_init(|| {
        ParamSet::ALL
            .into_iter()
            .filter(|set| set.bits() == 256)
            .map(Curve::new)
            .collect()
    });
    curves
        .iter()
        .find(|curve| curve.set == set)
        .expect("a 256-bit parameter set")
}

pub(crate) fn curve512(set: ParamSet) -> &'static Curve<L512> {
    static CURVES: OnceLock<Vec<Curve<L512>>> = OnceLock::new();
    let curves = CURVES.get_or_init(|| {
        ParamSet::ALL
            .into_iter()
            .filter(|set| set.bits() == 512)
            .map(Curve::new)
            .collect()
    });
    curves
        .iter()
        .find(|curve| curve.set == set)
        .expect("a 512-bit parameter set")
}

/// Runs `$body` with `$curve` bound to the curve of `$set`, whichever its size.
macro_rules! with_curve {
    ($set:expr, |$curve:ident| $body:expr) => {
        if $set.bits() == 256 {
            let $curve = $crate::crypto::gost::r3410::curve256($set);
            $body
        } else {
            let $curve = $crate::crypto::gost::r3410::curve512($set);
            $body
        }
    };
}
pub(crate) use with_curve;

pub(crate) fn uint_from_le<const L: usize>(bytes: &[u8]) -> Uint<L> {
    let mut big_endian = Zeroizing::new(bytes.to_vec());
    big_endian.reverse();
    Uint::from_be_slice(&big_endian)
}

pub(crate) fn uint_to_le<const L: usize>(value: &Uint<L>) -> Vec<u8> {
    value.to_le_bytes().as_ref().to_vec()
}

fn uint_to_be<const L: usize>(value: &Uint<L>) -> Vec<u8> {
    value.to_be_bytes().as_ref().to_vec()
}

fn check_len(what: &'static str, bytes: &[u8], expected: usize) -> Result<(), CryptoError> {
    if bytes.len() == expected {
        Ok(())
    } else {
        Err(CryptoError::Length {
            what,
            expected,
            actual: bytes.len(),
        })
    }
}

/// Fills `buffer` from the operating system's random generator.
pub(crate) fn random_bytes(buffer: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buffer).map_err(|error| CryptoError::Random(error.to_string()))
}

/// A uniformly random scalar in [1, q−1], by rejection sampling (a rejected candidate says nothing
/// about the accepted one).
fn random_scalar<const L: usize>(curve: &Curve<L>) -> Result<Uint<L>, CryptoError> {
    let q = curve.q.get();
    let bits = q.bit_width();
    let mut bytes = Zeroizing::new(vec![0u8; L * crypto_bigint::Limb::BYTES]);
    loop {
        random_bytes(&mut bytes)?;
        let mut candidate = Uint::<L>::from_be_slice(&bytes);
        candidate = candidate.wrapping_shr(Uint::<L>::BITS - bits);
        if !candidate.is_zero().to_bool() && candidate.cmp_vartime(&q).is_lt() {
            return Ok(candidate);
        }
        candidate.zeroize();
    }
}

/// A little-endian integer modulo q.
fn reduce_le<const L: usize>(curve: &Curve<L>, bytes: &[u8]) -> Uint<L> {
    uint_from_le::<L>(bytes).rem(&curve.q_nonzero())
}

/// α (the digest as a little-endian integer) mod q, and 1 instead of 0 (GOST R 34.10, step 2).
fn digest_scalar<const L: usize>(curve: &Curve<L>, digest: &[u8]) -> Uint<L> {
    let e = reduce_le(curve, digest);
    if e.is_zero().to_bool() { Uint::ONE } else { e }
}

/// A GOST R 34.10 private key: a scalar in [1, q−1] of a named parameter set. Zeroized on drop;
/// `Debug` shows the parameter set only.
pub struct PrivateKey {
    set: ParamSet,
    /// The scalar, little-endian, `set.coordinate_len()` bytes.
    scalar: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("set", &self.set.name())
            .field("scalar", &"[REDACTED]")
            .finish()
    }
}

impl PrivateKey {
    /// A new random key.
    pub fn generate(set: ParamSet) -> Result<Self, CryptoError> {
        with_curve!(set, |curve| {
            let mut scalar = random_scalar(curve)?;
            let key = Self {
                set,
                scalar: Zeroizing::new(uint_to_le(&scalar)),
            };
            scalar.zeroize();
            Ok(key)
        })
    }

    /// The key whose scalar is `bytes`, little-endian (as in PKCS#8 from OpenSSL's GOST engine and in
    /// CryptoPro containers). A scalar not below q is reduced modulo q; zero is refused.
    pub fn from_le_bytes(set: ParamSet, bytes: &[u8]) -> Result<Self, CryptoError> {
        check_len("private key", bytes, set.coordinate_len())?;
        with_curve!(set, |curve| {
            let mut scalar = reduce_le(curve, bytes);
            if scalar.is_zero().to_bool() {
                return Err(CryptoError::PrivateKeyOutOfRange);
            }
            let key = Self {
                set,
                scalar: Zeroizing::new(uint_to_le(&scalar)),
            };
            scalar.zeroize();
            Ok(key)
        })
    }

    /// The key stored masked, as CryptoPro containers keep it: d = masked · mask⁻¹ mod q, both numbers
    /// little-endian and of the curve's size.
    pub fn unmask_le(set: ParamSet, masked: &[u8], mask: &[u8]) -> Result<Self, CryptoError> {
        check_len("masked private key", masked, set.coordinate_len())?;
        check_len("private key mask", mask, set.coordinate_len())?;
        with_curve!(set, |curve| {
            let to_scalar = |value: &Uint<_>| Scalar::new(value, &curve.scalars);
            let masked = Zeroizing::new(reduce_le(curve, masked));
            let mask = Zeroizing::new(reduce_le(curve, mask));
            let inverse: Option<Scalar<_>> = to_scalar(&mask).invert().into();
            let inverse = inverse.ok_or(CryptoError::PrivateKeyOutOfRange)?;
            let mut scalar = to_scalar(&masked).mul(&inverse).retrieve();
            if scalar.is_zero().to_bool() {
                return Err(CryptoError::PrivateKeyOutOfRange);
            }
            let key = Self {
                set,
                scalar: Zeroizing::new(uint_to_le(&scalar)),
            };
            scalar.zeroize();
            Ok(key)
        })
    }

    /// The scalar masked as CryptoPro containers keep it: d · mask mod q, little-endian.
    pub fn mask_le(&self, mask: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        check_len("private key mask", mask, self.set.coordinate_len())?;
        with_curve!(self.set, |curve| {
            let to_scalar = |value: &Uint<_>| Scalar::new(value, &curve.scalars);
            let mask = Zeroizing::new(reduce_le(curve, mask));
            let mut masked = to_scalar(&self.scalar()).mul(&to_scalar(&mask)).retrieve();
            let bytes = Zeroizing::new(uint_to_le(&masked));
            masked.zeroize();
            Ok(bytes)
        })
    }

    /// The key whose scalar is `bytes`, big-endian (as the standards print it).
    pub fn from_be_bytes(set: ParamSet, bytes: &[u8]) -> Result<Self, CryptoError> {
        let mut little_endian = Zeroizing::new(bytes.to_vec());
        little_endian.reverse();
        Self::from_le_bytes(set, &little_endian)
    }

    /// The scalar, little-endian. Handle with care: this is the secret.
    pub fn to_le_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.scalar.clone()
    }

    /// The parameter set.
    pub fn param_set(&self) -> ParamSet {
        self.set
    }

    pub(crate) fn scalar<const L: usize>(&self) -> Zeroizing<Uint<L>> {
        Zeroizing::new(uint_from_le(&self.scalar))
    }

    /// The public key d·P.
    pub fn public_key(&self) -> PublicKey {
        with_curve!(self.set, |curve| {
            let point = curve.mul_base(&self.scalar());
            PublicKey::from_point(curve, &point)
        })
    }

    /// Signs a digest of the size of the curve (32 or 64 bytes).
    pub fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
        check_len("digest", digest, self.set.coordinate_len())?;
        with_curve!(self.set, |curve| {
            loop {
                let k = Zeroizing::new(random_scalar(curve)?);
                if let Some(signature) = self.sign_with_nonce(curve, digest, &k) {
                    return Ok(signature);
                }
            }
        })
    }

    /// Signs with a given nonce k; `None` when k yields r = 0 or s = 0 and another must be drawn.
    /// Public to the crate for the standard's examples, which fix k.
    pub(crate) fn sign_with_nonce<const L: usize>(
        &self,
        curve: &Curve<L>,
        digest: &[u8],
        k: &Uint<L>,
    ) -> Option<Vec<u8>> {
        let e = digest_scalar(curve, digest);
        let c = curve.mul_base(k);
        let (x, _) = curve.to_affine(&c)?;
        let r = x.rem(&curve.q_nonzero());
        if r.is_zero().to_bool() {
            return None;
        }
        let d = self.scalar::<L>();
        let to_scalar = |value: &Uint<L>| Scalar::new(value, &curve.scalars);
        let s = to_scalar(&r)
            .mul(&to_scalar(&d))
            .add(&to_scalar(k).mul(&to_scalar(&e)))
            .retrieve();
        if s.is_zero().to_bool() {
            return None;
        }
        let mut signature = uint_to_be(&s);
        signature.extend(uint_to_be(&r));
        Some(signature)
    }
}

/// A GOST R 34.10 public key: a point of the prime-order subgroup of a named parameter set.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    set: ParamSet,
    /// `x ‖ y`, each little-endian.
    encoded: Vec<u8>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("set", &self.set.name())
            .field("x_y_le", &hex(&self.encoded))
            .finish()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

impl PublicKey {
    fn from_point<const L: usize>(curve: &Curve<L>, point: &Point<L>) -> Self {
        let (x, y) = curve
            .to_affine(point)
            .expect("d·P is not the point at infinity for 0 < d < q");
        let mut encoded = uint_to_le(&x);
        encoded.extend(uint_to_le(&y));
        Self {
            set: curve.set,
            encoded,
        }
    }

    /// The key encoded as `x ‖ y`, each coordinate little-endian (the contents of the OCTET STRING in
    /// a certificate's subjectPublicKey). Checks that the point is on the curve and in the subgroup of
    /// order q.
    pub fn from_le_bytes(set: ParamSet, bytes: &[u8]) -> Result<Self, CryptoError> {
        check_len("public key", bytes, 2 * set.coordinate_len())?;
        let (x, y) = bytes.split_at(set.coordinate_len());
        with_curve!(set, |curve| {
            let (x, y) = (uint_from_le(x), uint_from_le(y));
            let p = curve.p.get();
            if !(x.cmp_vartime(&p).is_lt() && y.cmp_vartime(&p).is_lt()) {
                return Err(CryptoError::PublicKeyInvalid);
            }
            let point = curve.point(&x, &y);
            if !curve.is_on_curve(&point) {
                return Err(CryptoError::PublicKeyInvalid);
            }
            // On the cofactor-4 curves a point on the curve may lie outside the subgroup.
            if curve.cofactor != 1 && !curve.mul(&point, &curve.q.get()).is_identity() {
                return Err(CryptoError::PublicKeyInvalid);
            }
            Ok(Self {
                set,
                encoded: bytes.to_vec(),
            })
        })
    }

    /// The key from big-endian coordinates (as the standards print them).
    pub fn from_be_coordinates(set: ParamSet, x: &[u8], y: &[u8]) -> Result<Self, CryptoError> {
        let len = set.coordinate_len();
        check_len("public key x", x, len)?;
        check_len("public key y", y, len)?;
        let mut encoded: Vec<u8> = x.iter().rev().copied().collect();
        encoded.extend(y.iter().rev());
        Self::from_le_bytes(set, &encoded)
    }

    /// `x ‖ y`, each little-endian.
    pub fn to_le_bytes(&self) -> &[u8] {
        &self.encoded
    }

    /// x, big-endian.
    pub fn x_be(&self) -> Vec<u8> {
        self.encoded[..self.set.coordinate_len()]
            .iter()
            .rev()
            .copied()
            .collect()
    }

    /// y, big-endian.
    pub fn y_be(&self) -> Vec<u8> {
        self.encoded[self.set.coordinate_len()..]
            .iter()
            .rev()
            .copied()
            .collect()
    }

    /// The parameter set.
    pub fn param_set(&self) -> ParamSet {
        self.set
    }

    pub(crate) fn point<const L: usize>(&self, curve: &Curve<L>) -> Point<L> {
        let (x, y) = self.encoded.split_at(self.set.coordinate_len());
        curve.point(&uint_from_le(x), &uint_from_le(y))
    }

    /// Verifies a signature `s ‖ r` (each big-endian) over a digest of the size of the curve.
    pub fn verify_digest(&self, digest: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        let len = self.set.coordinate_len();
        check_len("digest", digest, len)?;
        check_len("signature", signature, 2 * len)?;
        with_curve!(self.set, |curve| {
            let q = curve.q.get();
            let s = Uint::from_be_slice(&signature[..len]);
            let r = Uint::from_be_slice(&signature[len..]);
            let in_range =
                |value: &Uint<_>| !value.is_zero().to_bool() && value.cmp_vartime(&q).is_lt();
            if !(in_range(&r) && in_range(&s)) {
                return Err(CryptoError::BadSignature);
            }
            let e = digest_scalar(curve, digest);
            let to_scalar = |value: &Uint<_>| Scalar::new(value, &curve.scalars);
            let v: Option<Scalar<_>> = to_scalar(&e).invert().into();
            let v = v.ok_or(CryptoError::BadSignature)?;
            let z1 = to_scalar(&s).mul(&v).retrieve();
            let z2 = to_scalar(&r).neg().mul(&v).retrieve();
            let c = curve.add(&curve.mul_base(&z1), &curve.mul(&self.point(curve), &z2));
            let (x, _) = curve.to_affine(&c).ok_or(CryptoError::BadSignature)?;
            if x.rem(&curve.q_nonzero()) == r {
                Ok(())
            } else {
                Err(CryptoError::BadSignature)
            }
        })
    }
}
