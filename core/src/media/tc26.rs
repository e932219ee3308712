//! GOST R 34.10-2012 on PKCS#11 tokens (Rutoken and others) through raw `cryptoki-sys` calls: the
//! TC26 mechanisms and key types are vendor-defined numbers that `cryptoki` has no variants for and
//! drops from its mechanism lists, so the few calls that need them are made here, against the same
//! loaded module and in the same session as everything else.
//!
//! The constants are those of the TC26 PKCS#11 extensions (R 1323565.1.012 and the Rutoken
//! headers): `CK_VENDOR_PKCS11_RU_TEAM_TC26` = 0xD4321000.

// Unsafe code: calls into the token's C library (the registry store's Win32 calls are the only other).
#![allow(unsafe_code)]
// CK_ULONG is 64 bits here and 32 on Windows: the casts are what keeps this portable.
#![allow(clippy::unnecessary_cast)]

use std::path::Path;

use cryptoki_sys as sys;

/// GOST R 34.10-2001 / 2012-256 key pair generation (PKCS#11 v2.40).
pub const CKM_GOSTR3410_KEY_PAIR_GEN: u64 = 0x0000_1200;
/// GOST R 34.10 signature over a digest made outside the token (PKCS#11 v2.40).
pub const CKM_GOSTR3410: u64 = 0x0000_1201;
/// GOST R 34.10-2012-512 signature over a digest made outside the token (TC26).
pub const CKM_GOSTR3410_512: u64 = 0xD432_1006;
/// GOST R 34.10-2012-512 key pair generation (TC26).
pub const CKM_GOSTR3410_512_KEY_PAIR_GEN: u64 = 0xD432_1005;
/// GOST R 34.10 256-bit keys (PKCS#11 v2.40).
pub const CKK_GOSTR3410: u64 = 0x0000_0030;
/// GOST R 34.10-2012 512-bit keys (TC26).
pub const CKK_GOSTR3410_512: u64 = 0xD432_1003;
/// Whether a CKA_KEY_TYPE is TC26's for GOST R 34.10-2012 512-bit keys.
pub(crate) fn is_gost_512(key_type: sys::CK_KEY_TYPE) -> bool {
    key_type as u64 == CKK_GOSTR3410_512
}

/// The curve's parameter set OID (DER), for both sizes.
const CKA_GOSTR3410_PARAMS: u64 = 0x0000_0250;
/// The digest's OID (DER).
const CKA_GOSTR3411_PARAMS: u64 = 0x0000_0251;

/// The module's C functions, loaded a second time (the loader hands back the same library, so the
/// module's state, sessions and login are shared with `cryptoki`'s handle).
pub(crate) struct Raw {
    library: sys::Pkcs11,
}

/// What a GOST key pair on a token is made with.
pub(crate) struct GostTemplate<'a> {
    /// 256 or 512.
    pub bits: usize,
    /// The parameter set's OID, DER.
    pub params: &'a [u8],
    /// The digest's OID, DER.
    pub digest: &'a [u8],
    /// CKA_ID.
    pub id: &'a [u8],
    /// CKA_LABEL.
    pub label: &'a [u8],
    /// Whether the private key may leave the token.
    pub extractable: bool,
}

fn ulong(value: u64) -> Vec<u8> {
    value.to_ne_bytes().to_vec()
}

fn boolean(value: bool) -> Vec<u8> {
    vec![u8::from(value)]
}

/// The key type of a GOST key of `bits`.
fn gost_key_type(bits: usize) -> u64 {
    if bits == 512 {
        CKK_GOSTR3410_512
    } else {
        CKK_GOSTR3410
    }
}

/// A GOST public key's attributes on the token: class, type, parameters, CKA_ID and CKA_LABEL.
fn public_template(template: &GostTemplate<'_>) -> Vec<(u64, Vec<u8>)> {
    vec![
        (sys::CKA_CLASS as u64, ulong(sys::CKO_PUBLIC_KEY as u64)),
        (
            sys::CKA_KEY_TYPE as u64,
            ulong(gost_key_type(template.bits)),
        ),
        (sys::CKA_TOKEN as u64, boolean(true)),
        (sys::CKA_PRIVATE as u64, boolean(false)),
        (sys::CKA_VERIFY as u64, boolean(true)),
        (sys::CKA_ID as u64, template.id.to_vec()),
        (sys::CKA_LABEL as u64, template.label.to_vec()),
        (CKA_GOSTR3410_PARAMS, template.params.to_vec()),
        (CKA_GOSTR3411_PARAMS, template.digest.to_vec()),
    ]
}

/// Attribute descriptors pointing into `values`, which must outlive the call they are used in.
fn attributes(values: &mut [(u64, Vec<u8>)]) -> Vec<sys::CK_ATTRIBUTE> {
    values
        .iter_mut()
        .map(|(kind, value)| sys::CK_ATTRIBUTE {
            type_: *kind as sys::CK_ATTRIBUTE_TYPE,
            pValue: value.as_mut_ptr().cast(),
            ulValueLen: value.len() as sys::CK_ULONG,
        })
        .collect()
}

impl Raw {
    /// Loads the module's symbols.
    pub(crate) fn load(path: &Path) -> Result<Self, String> {
        // SAFETY: loading a PKCS#11 module runs its initialisers, as `cryptoki` already did for the
        // same path; the library is not unloaded while `Raw` lives (it owns the handle).
        let library = unsafe { sys::Pkcs11::new(path) }.map_err(|error| error.to_string())?;
        Ok(Self { library })
    }

    /// Every mechanism the token in `slot` offers, vendor-defined ones included.
    pub(crate) fn mechanisms(&self, slot: u64) -> Result<Vec<u64>, u64> {
        let mut count: sys::CK_ULONG = 0;
        // SAFETY: a null list asks for the count only (PKCS#11 section 5.5).
        let rv = unsafe {
            self.library.C_GetMechanismList(
                slot as sys::CK_SLOT_ID,
                std::ptr::null_mut(),
                &mut count,
            )
        };
        if rv != sys::CKR_OK {
            return Err(rv as u64);
        }
        let mut list: Vec<sys::CK_MECHANISM_TYPE> = vec![0; count as usize];
        // SAFETY: `list` has room for `count` entries, and the module writes at most `count`
        // (it updates `count` to what it wrote).
        let rv = unsafe {
            self.library
                .C_GetMechanismList(slot as sys::CK_SLOT_ID, list.as_mut_ptr(), &mut count)
        };
        if rv != sys::CKR_OK {
            return Err(rv as u64);
        }
        list.truncate(count as usize);
        Ok(list.into_iter().map(|mechanism| mechanism as u64).collect())
    }

    /// Generates a GOST R 34.10-2012 key pair in `session` (logged in, read-write): both keys on
    /// the token, the private one sensitive. Returns the (public, private) object handles.
    ///
    /// The parameter OIDs go into the public key's template, as PKCS#11 v2.40's table has it (the
    /// private key takes them from there; they "must not be specified" for it). A module that
    /// wants them in the private key's template as well, as Rutoken's samples give them, answers
    /// CKR_TEMPLATE_INCOMPLETE and is then asked once more with both. Spec first because the other
    /// order is not harmless: SoftHSM2 refuses parameters in the private template with
    /// CKR_ATTRIBUTE_READ_ONLY yet leaves a private key object without CKA_ID behind.
    pub(crate) fn generate_gost(
        &self,
        session: sys::CK_SESSION_HANDLE,
        template: &GostTemplate<'_>,
    ) -> Result<(u64, u64), u64> {
        match self.generate_gost_once(session, template, false) {
            Err(rv)
                if rv == sys::CKR_TEMPLATE_INCOMPLETE as u64
                    || rv == sys::CKR_TEMPLATE_INCONSISTENT as u64 =>
            {
                self.generate_gost_once(session, template, true)
            }
            other => other,
        }
    }

    fn generate_gost_once(
        &self,
        session: sys::CK_SESSION_HANDLE,
        template: &GostTemplate<'_>,
        params_in_private: bool,
    ) -> Result<(u64, u64), u64> {
        let mechanism = if template.bits == 512 {
            CKM_GOSTR3410_512_KEY_PAIR_GEN
        } else {
            CKM_GOSTR3410_KEY_PAIR_GEN
        };
        let key_type = gost_key_type(template.bits);
        let mut public_values = public_template(template);
        let mut private_values = vec![
            (sys::CKA_CLASS as u64, ulong(sys::CKO_PRIVATE_KEY as u64)),
            (sys::CKA_KEY_TYPE as u64, ulong(key_type)),
            (sys::CKA_TOKEN as u64, boolean(true)),
            (sys::CKA_PRIVATE as u64, boolean(true)),
            (sys::CKA_SENSITIVE as u64, boolean(true)),
            (sys::CKA_EXTRACTABLE as u64, boolean(template.extractable)),
            (sys::CKA_SIGN as u64, boolean(true)),
            (sys::CKA_DERIVE as u64, boolean(true)),
            (sys::CKA_ID as u64, template.id.to_vec()),
            (sys::CKA_LABEL as u64, template.label.to_vec()),
        ];
        if params_in_private {
            private_values.extend([
                (CKA_GOSTR3410_PARAMS, template.params.to_vec()),
                (CKA_GOSTR3411_PARAMS, template.digest.to_vec()),
            ]);
        }
        let mut public = attributes(&mut public_values);
        let mut private = attributes(&mut private_values);
        let mut mechanism = sys::CK_MECHANISM {
            mechanism: mechanism as sys::CK_MECHANISM_TYPE,
            pParameter: std::ptr::null_mut(),
            ulParameterLen: 0,
        };
        let (mut public_handle, mut private_handle): (
            sys::CK_OBJECT_HANDLE,
            sys::CK_OBJECT_HANDLE,
        ) = (0, 0);
        // SAFETY: the templates point into `public_values` and `private_values`, which live until
        // after the call; the module only reads them and writes the two handles.
        let rv = unsafe {
            self.library.C_GenerateKeyPair(
                session,
                &mut mechanism,
                public.as_mut_ptr(),
                public.len() as sys::CK_ULONG,
                private.as_mut_ptr(),
                private.len() as sys::CK_ULONG,
                &mut public_handle,
                &mut private_handle,
            )
        };
        if rv != sys::CKR_OK {
            return Err(rv as u64);
        }
        Ok((public_handle as u64, private_handle as u64))
    }

    /// Creates the public half of a GOST key pair in `session`: CKA_VALUE `value` (x ‖ y,
    /// little-endian) with the template's parameters, CKA_ID and CKA_LABEL. Returns its handle.
    pub(crate) fn create_gost_public_key(
        &self,
        session: sys::CK_SESSION_HANDLE,
        template: &GostTemplate<'_>,
        value: &[u8],
    ) -> Result<u64, u64> {
        let mut values = public_template(template);
        values.push((sys::CKA_VALUE as u64, value.to_vec()));
        let mut list = attributes(&mut values);
        let mut handle: sys::CK_OBJECT_HANDLE = 0;
        // SAFETY: the template points into `values`, which lives until after the call; the module
        // only reads it and writes the handle.
        let rv = unsafe {
            self.library.C_CreateObject(
                session,
                list.as_mut_ptr(),
                list.len() as sys::CK_ULONG,
                &mut handle,
            )
        };
        if rv != sys::CKR_OK {
            return Err(rv as u64);
        }
        Ok(handle as u64)
    }

    /// Signs `digest` (Streebog of the data, as the hash function gives it) with the GOST private
    /// key `key` in `session` by CKM_GOSTR3410 (CKM_GOSTR3410_512 for a 64-byte digest), the
    /// mechanisms that take a digest made outside the token (PKCS#11 v2.40 2.19.6, TC26; Rutoken
    /// and SoftHSM2 alike). The answer is the token's
    /// 64 or 128 bytes: s ‖ r, big-endian, as X.509 carries a GOST signature (RFC 4491 2.2.2).
    pub(crate) fn sign_gost_digest(
        &self,
        session: sys::CK_SESSION_HANDLE,
        key: sys::CK_OBJECT_HANDLE,
        digest: &[u8],
    ) -> Result<Vec<u8>, u64> {
        let mechanism = if digest.len() == 64 {
            CKM_GOSTR3410_512
        } else {
            CKM_GOSTR3410
        };
        let mut mechanism = sys::CK_MECHANISM {
            mechanism: mechanism as sys::CK_MECHANISM_TYPE,
            pParameter: std::ptr::null_mut(),
            ulParameterLen: 0,
        };
        // SAFETY: the mechanism has no parameter; `key` is a handle of this session.
        let rv = unsafe { self.library.C_SignInit(session, &mut mechanism, key) };
        if rv != sys::CKR_OK {
            return Err(rv as u64);
        }
        let mut data = digest.to_vec();
        // Room for a 512-bit signature; the module writes at most `length` bytes and says how many.
        let mut signature = vec![0u8; 128];
        let mut length = signature.len() as sys::CK_ULONG;
        // SAFETY: `data` and `signature` are live buffers of the lengths given.
        let rv = unsafe {
            self.library.C_Sign(
                session,
                data.as_mut_ptr(),
                data.len() as sys::CK_ULONG,
                signature.as_mut_ptr(),
                &mut length,
            )
        };
        if rv != sys::CKR_OK {
            return Err(rv as u64);
        }
        signature.truncate(length as usize);
        Ok(signature)
    }
}
