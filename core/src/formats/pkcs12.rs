//! PKCS#12 / PFX files (RFC 7292): the certificates and private keys inside, after checking the
//! integrity MAC with the password.
//!
//! The MAC key comes from the PKCS#12 KDF for SHA-1/SHA-2 MACs, and — as OpenSSL's GOST engine and
//! CryptoPro make GOST PFX files — from PBKDF2 with HMAC-Streebog-512 (96 bytes, the last 32 taken) for
//! Streebog MACs. Contents are encrypted with the schemes of [`super::pbe`].

use hmac::Hmac;
use zeroize::Zeroizing;

use super::der::{self, Reader, Tlv, tag};
use super::pbe;
use super::pkcs8::{self, KeyInfo};
use crate::crypto::gost::kdf::HmacStreebog512;
use crate::error::FormatError;

const DATA: &str = "1.2.840.113549.1.7.1";
const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const ENVELOPED_DATA: &str = "1.2.840.113549.1.7.3";
const ENCRYPTED_DATA: &str = "1.2.840.113549.1.7.6";
const KEY_BAG: &str = "1.2.840.113549.1.12.10.1.1";
const SHROUDED_KEY_BAG: &str = "1.2.840.113549.1.12.10.1.2";
const CERT_BAG: &str = "1.2.840.113549.1.12.10.1.3";
const X509_CERTIFICATE: &str = "1.2.840.113549.1.9.22.1";

/// What a PFX file holds.
#[derive(Debug, Default)]
pub struct Pfx {
    /// Certificates, DER.
    pub certificates: Vec<Vec<u8>>,
    /// Private keys.
    pub keys: Vec<KeyInfo>,
}

fn bad(reason: &'static str) -> FormatError {
    FormatError::Der {
        what: "PKCS#12 file",
        offset: 0,
        reason,
    }
}

fn oid_of(tlv: Tlv<'_>) -> Result<String, FormatError> {
    der::oid_to_string(tlv.expect(tag::OID, "object identifier")?)
        .ok_or_else(|| bad("broken object identifier"))
}

/// Opens a PFX file with `password` (UTF-8).
pub fn parse(bytes: &[u8], password: &[u8]) -> Result<Pfx, FormatError> {
    parse_within(bytes, password, &pbe::Budget::per_file())
}

/// [`parse`] within `budget`: [`pbe::Budget::for_a_guess`] when the empty password is only tried.
pub fn parse_within(
    bytes: &[u8],
    password: &[u8],
    budget: &pbe::Budget,
) -> Result<Pfx, FormatError> {
    parse_with(bytes, password, budget, &|_| {
        Err(FormatError::EncryptedToCertificate)
    })
}

/// Opens an EnvelopedData (a ContentInfo, DER) of a PFX in public-key privacy mode: its content,
/// decrypted with a key the caller has (the archive's).
pub type OpenEnveloped<'a> = dyn Fn(&[u8]) -> Result<Zeroizing<Vec<u8>>, FormatError> + 'a;

/// [`parse_within`], with the parts encrypted to a certificate's key (RFC 7292's public-key privacy
/// mode: EnvelopedData) opened by `enveloped`. In public-key integrity mode (the AuthenticatedSafe
/// signed: SignedData, as RFC 9548 A.3) the signature must verify with the signer's certificate in
/// it; there is no password MAC then.
pub fn parse_with(
    bytes: &[u8],
    password: &[u8],
    budget: &pbe::Budget,
    enveloped: &OpenEnveloped<'_>,
) -> Result<Pfx, FormatError> {
    let pfx = Reader::new(bytes).required("PFX")?;
    let mut fields = pfx.children();
    let version = fields
        .required("version")?
        .expect(tag::INTEGER, "version")?;
    if version != [3] {
        return Err(bad("not a version 3 PFX"));
    }
    let auth_safe = fields.required("authSafe")?;
    let mut content_info = auth_safe.children();
    let auth_safe_type = oid_of(content_info.required("contentType")?)?;
    let explicit = content_info.required("content")?;
    let signed_content;
    let content = match auth_safe_type.as_str() {
        DATA => explicit
            .children()
            .required("data")?
            .expect(tag::OCTET_STRING, "data")?,
        SIGNED_DATA => {
            signed_content = signed_auth_safe(auth_safe.raw)?;
            &signed_content[..]
        }
        other => {
            return Err(FormatError::UnsupportedEncryption {
                oid: other.to_owned(),
            });
        }
    };
    // The structure is read before any password is tried: a file that is not a PFX inside is told
    // as such, never as one locked with a password (and never archived as a locked container).
    let mut parts = Vec::new();
    let safe = Reader::new(content).required("AuthenticatedSafe")?;
    if safe.tag != tag::SEQUENCE {
        return Err(bad("AuthenticatedSafe is not a SEQUENCE"));
    }
    let mut infos = safe.children();
    while let Some(info) = infos.next_tlv("ContentInfo")? {
        let mut info_fields = info.children();
        let kind = oid_of(info_fields.required("contentType")?)?;
        let inner = info_fields
            .required("content")?
            .children()
            .required("content")?;
        let expected = match kind.as_str() {
            DATA => tag::OCTET_STRING,
            ENCRYPTED_DATA | ENVELOPED_DATA => tag::SEQUENCE,
            other => {
                return Err(FormatError::UnsupportedEncryption {
                    oid: other.to_owned(),
                });
            }
        };
        if inner.tag != expected {
            return Err(bad("a part of the PFX of the wrong form"));
        }
        let cryptopro = kind == DATA && holds_cryptopro_key(inner.value);
        parts.push((kind, inner, info.raw, cryptopro));
    }
    if parts.is_empty() {
        return Err(bad("a PFX without contents"));
    }
    // CryptoPro CSP's own export protects the key with a scheme of its own, and its outer MAC does
    // not verify even with the right password: for such a file the MAC is not the judge, the key
    // bag's own MAC is (a wrong password fails there), and its parts holding that key are read
    // first so that a wrong password is told by it.
    let cryptopro_key = parts.iter().any(|part| part.3);
    match fields.next_tlv("macData")? {
        Some(mac_data) => match verify_mac(mac_data, content, password, budget) {
            Err(FormatError::WrongFilePassword) if cryptopro_key => {}
            other => other?,
        },
        // A signed AuthenticatedSafe has its integrity from the signature.
        None if auth_safe_type == SIGNED_DATA => {}
        None => return Err(bad("no integrity MAC")),
    }
    parts.sort_by_key(|part| !part.3);
    let mut pfx = Pfx::default();
    for (kind, inner, info, _) in parts {
        let safe_contents: Zeroizing<Vec<u8>> = if kind == DATA {
            Zeroizing::new(inner.expect(tag::OCTET_STRING, "data")?.to_vec())
        } else if kind == ENVELOPED_DATA {
            enveloped(info)?
        } else {
            // EncryptedData { version, EncryptedContentInfo { type, algorithm, [0] IMPLICIT content } }.
            let mut encrypted = inner.children();
            encrypted.required("version")?;
            let mut content_info = encrypted.required("encryptedContentInfo")?.children();
            content_info.required("contentType")?;
            let algorithm = content_info.required("contentEncryptionAlgorithm")?;
            let data = content_info.required("encryptedContent")?;
            let ciphertext = match data.tag {
                0x80 => data.value.to_vec(),
                // Constructed [0]: the ciphertext in OCTET STRING pieces.
                0xa0 => {
                    let mut joined = Vec::new();
                    let mut pieces = data.children();
                    while let Some(piece) = pieces.next_tlv("encryptedContent")? {
                        joined.extend_from_slice(
                            piece.expect(tag::OCTET_STRING, "encryptedContent")?,
                        );
                    }
                    joined
                }
                _ => return Err(bad("encrypted content of an unknown form")),
            };
            pbe::decrypt(algorithm, &ciphertext, password, budget)?
        };
        read_safe_contents(&safe_contents, password, &mut pfx, budget)?;
    }
    Ok(pfx)
}

/// The AuthenticatedSafe of a signed PFX (`content_info`: its ContentInfo of SignedData), once every
/// signature verifies with the signer's certificate the SignedData carries.
fn signed_auth_safe(content_info: &[u8]) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    use crate::cms::signed::{self, Verdict};
    let mut content = Zeroizing::new(Vec::new());
    let (_, signers) = signed::unwrap(content_info, &mut *content, &|_| None)
        .map_err(|_| bad("a signed PFX whose SignedData does not read"))?;
    if signers.is_empty() {
        return Err(bad("a signed PFX without a signer"));
    }
    for signer in signers {
        match signer.verdict {
            Verdict::Valid => {}
            Verdict::Invalid(reason) | Verdict::Unchecked(reason) => {
                return Err(FormatError::SignatureNotValid {
                    signer: signer.signer,
                    reason,
                });
            }
        }
    }
    Ok(content)
}

/// Whether unencrypted SafeContents hold a key bag under CryptoPro's own protection.
fn holds_cryptopro_key(safe_contents: &[u8]) -> bool {
    let Ok(contents) = Reader::new(safe_contents).required("SafeContents") else {
        return false;
    };
    let mut bags = contents.children();
    while let Ok(Some(bag)) = bags.next_tlv("SafeBag") {
        let mut fields = bag.children();
        let (Ok(kind), Ok(value)) = (fields.required("bagId"), fields.required("bagValue")) else {
            continue;
        };
        if oid_of(kind).ok().as_deref() != Some(SHROUDED_KEY_BAG) {
            continue;
        }
        let algorithm = value
            .children()
            .required("EncryptedPrivateKeyInfo")
            .and_then(|info| info.children().required("encryptionAlgorithm"))
            .and_then(|algorithm| algorithm.children().required("algorithm"))
            .and_then(oid_of);
        if algorithm.ok().as_deref() == Some(super::cryptopro_pfx::KEY_PROTECTION) {
            return true;
        }
    }
    false
}

fn read_safe_contents(
    bytes: &[u8],
    password: &[u8],
    pfx: &mut Pfx,
    budget: &pbe::Budget,
) -> Result<(), FormatError> {
    let contents = Reader::new(bytes).required("SafeContents")?;
    let mut bags = contents.children();
    while let Some(bag) = bags.next_tlv("SafeBag")? {
        let mut fields = bag.children();
        let kind = oid_of(fields.required("bagId")?)?;
        let value = fields
            .required("bagValue")?
            .children()
            .required("bagValue")?;
        match kind.as_str() {
            KEY_BAG => pfx.keys.push(pkcs8::parse_private_key_info(value.raw)?),
            SHROUDED_KEY_BAG => pfx
                .keys
                .push(pkcs8::parse_encrypted_within(value.raw, password, budget)?),
            CERT_BAG => {
                let mut cert_fields = value.children();
                if oid_of(cert_fields.required("certId")?)? == X509_CERTIFICATE {
                    let certificate = cert_fields
                        .required("certValue")?
                        .children()
                        .required("certificate")?;
                    pfx.certificates.push(
                        certificate
                            .expect(tag::OCTET_STRING, "certificate")?
                            .to_vec(),
                    );
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn verify_mac(
    mac_data: Tlv<'_>,
    content: &[u8],
    password: &[u8],
    budget: &pbe::Budget,
) -> Result<(), FormatError> {
    use pbe::cost;
    let mut fields = mac_data.children();
    let digest_info = fields.required("mac")?;
    let salt = fields
        .required("macSalt")?
        .expect(tag::OCTET_STRING, "macSalt")?;
    let iterations = match fields.next_tlv("iterations")? {
        Some(tlv) => {
            let value = tlv.expect(tag::INTEGER, "iterations")?;
            if value.is_empty() || value.len() > 4 || value[0] & 0x80 != 0 {
                return Err(bad("MAC iteration count out of range"));
            }
            value
                .iter()
                .fold(0u32, |acc, byte| (acc << 8) | u32::from(*byte))
        }
        None => 1,
    };
    if iterations == 0 || iterations > 10_000_000 {
        return Err(bad("MAC iteration count out of range"));
    }
    let mut digest_fields = digest_info.children();
    let algorithm = oid_of(
        digest_fields
            .required("digestAlgorithm")?
            .children()
            .required("algorithm")?,
    )?;
    let expected = digest_fields
        .required("digest")?
        .expect(tag::OCTET_STRING, "digest")?;
    let bmp = pbe::bmp_password(password);
    let valid = match algorithm.as_str() {
        "1.3.14.3.2.26" => {
            let mut key = Zeroizing::new([0u8; 20]);
            budget.charge(iterations.into(), 1, cost::SHA1)?;
            pbe::pkcs12_kdf_within::<sha1::Sha1>(
                &bmp,
                salt,
                3,
                iterations,
                64,
                &mut key[..],
                budget,
            )?;
            pbe::verify_hmac::<Hmac<sha1::Sha1>>(&key[..], content, expected)
        }
        "2.16.840.1.101.3.4.2.1" => {
            let mut key = Zeroizing::new([0u8; 32]);
            budget.charge(iterations.into(), 1, cost::SHA256)?;
            pbe::pkcs12_kdf_within::<sha2::Sha256>(
                &bmp,
                salt,
                3,
                iterations,
                64,
                &mut key[..],
                budget,
            )?;
            pbe::verify_hmac::<Hmac<sha2::Sha256>>(&key[..], content, expected)
        }
        "2.16.840.1.101.3.4.2.3" => {
            let mut key = Zeroizing::new([0u8; 64]);
            budget.charge(iterations.into(), 1, cost::SHA512)?;
            pbe::pkcs12_kdf_within::<sha2::Sha512>(
                &bmp,
                salt,
                3,
                iterations,
                128,
                &mut key[..],
                budget,
            )?;
            pbe::verify_hmac::<Hmac<sha2::Sha512>>(&key[..], content, expected)
        }
        "1.2.643.7.1.1.2.3" => {
            let mut derived = Zeroizing::new([0u8; 96]);
            // 96 bytes: two HMAC-Streebog-512 blocks.
            budget.charge(iterations.into(), 2, cost::HMAC_STREEBOG)?;
            pbe::pbkdf2_within::<HmacStreebog512>(
                password,
                salt,
                iterations,
                &mut derived[..],
                budget,
            )?;
            pbe::verify_hmac::<HmacStreebog512>(&derived[64..], content, expected)
        }
        other => {
            return Err(FormatError::UnsupportedEncryption {
                oid: other.to_owned(),
            });
        }
    };
    if valid {
        Ok(())
    } else {
        Err(FormatError::WrongFilePassword)
    }
}

/// Writes a PFX file with one certificate and its private key (PrivateKeyInfo DER), protected by
/// `password`, in the form `openssl pkcs12` reads: the certificate in an encrypted SafeContents, the
/// key in a shrouded key bag, both tagged with the same localKeyId, and an integrity MAC.
pub fn build(
    certificate: &[u8],
    private_key_info: &[u8],
    password: &[u8],
    protection: pbe::Protection,
    friendly_name: Option<&str>,
) -> Result<Vec<u8>, FormatError> {
    use digest::Digest;

    use super::der::write;
    let local_key_id = sha1::Sha1::digest(certificate);
    let mut attributes = vec![write::sequence(&[
        &write::oid("1.2.840.113549.1.9.21"),
        &write::set(&[&write::octets(&local_key_id)]),
    ])];
    if let Some(name) = friendly_name {
        let bmp: Vec<u8> = name.encode_utf16().flat_map(u16::to_be_bytes).collect();
        attributes.push(write::sequence(&[
            &write::oid("1.2.840.113549.1.9.20"),
            &write::set(&[&der::write::tlv(0x1e, &bmp)]),
        ]));
    }
    let attribute_refs: Vec<&[u8]> = attributes.iter().map(Vec::as_slice).collect();
    let attributes = write::set(&attribute_refs);

    let cert_bag = write::sequence(&[
        &write::oid(CERT_BAG),
        &write::explicit(
            0,
            &write::sequence(&[
                &write::oid(X509_CERTIFICATE),
                &write::explicit(0, &write::octets(certificate)),
            ]),
        ),
        &attributes,
    ]);
    let (algorithm, encrypted_certificates) =
        pbe::encrypt(protection, &write::sequence(&[&cert_bag]), password)?;
    let certificates = write::sequence(&[
        &write::oid(ENCRYPTED_DATA),
        &write::explicit(
            0,
            &write::sequence(&[
                &write::integer(0),
                &write::sequence(&[
                    &write::oid(DATA),
                    &algorithm,
                    &der::write::tlv(0x80, &encrypted_certificates),
                ]),
            ]),
        ),
    ]);
    let key_bag = write::sequence(&[
        &write::oid(SHROUDED_KEY_BAG),
        &write::explicit(0, &pkcs8::encrypt(private_key_info, password, protection)?),
        &attributes,
    ]);
    let keys = write::sequence(&[
        &write::oid(DATA),
        &write::explicit(0, &write::octets(&write::sequence(&[&key_bag]))),
    ]);
    let auth_safe = write::sequence(&[&certificates, &keys]);

    let salt = {
        let mut salt = vec![0u8; 8];
        getrandom::fill(&mut salt)
            .map_err(|error| crate::error::CryptoError::Random(error.to_string()))?;
        salt
    };
    let (digest_oid, mac) = match protection {
        pbe::Protection::Aes256 => {
            let mut key = Zeroizing::new([0u8; 32]);
            pbe::pkcs12_kdf::<sha2::Sha256>(
                &pbe::bmp_password(password),
                &salt,
                3,
                pbe::ITERATIONS,
                64,
                &mut key[..],
            );
            let mut mac = <Hmac<sha2::Sha256> as hmac::KeyInit>::new_from_slice(&key[..])
                .map_err(|_| bad("HMAC key"))?;
            hmac::Mac::update(&mut mac, &auth_safe);
            (
                "2.16.840.1.101.3.4.2.1",
                hmac::Mac::finalize(mac).into_bytes().to_vec(),
            )
        }
        pbe::Protection::Gost => {
            let mut derived = Zeroizing::new([0u8; 96]);
            pbkdf2::pbkdf2::<HmacStreebog512>(password, &salt, pbe::ITERATIONS, &mut derived[..])
                .map_err(|_| bad("PBKDF2"))?;
            let mut mac = <HmacStreebog512 as hmac::KeyInit>::new_from_slice(&derived[64..])
                .map_err(|_| bad("HMAC key"))?;
            hmac::Mac::update(&mut mac, &auth_safe);
            (
                "1.2.643.7.1.1.2.3",
                hmac::Mac::finalize(mac).into_bytes().to_vec(),
            )
        }
    };
    let mac_data = write::sequence(&[
        &write::sequence(&[
            &write::sequence(&[&write::oid(digest_oid), &write::null()]),
            &write::octets(&mac),
        ]),
        &write::octets(&salt),
        &write::integer(pbe::ITERATIONS.into()),
    ]);
    Ok(write::sequence(&[
        &write::integer(3),
        &write::sequence(&[
            &write::oid(DATA),
            &write::explicit(0, &write::octets(&auth_safe)),
        ]),
        &mac_data,
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::der::write;

    /// A PFX around `parts` (ContentInfos) with a MAC of `mac_algorithm` at `iterations` whose value
    /// is `mac` (not checked unless the work is done).
    fn pfx(parts: &[&[u8]], mac_algorithm: &str, iterations: u64, mac: &[u8]) -> Vec<u8> {
        let safe = write::sequence(parts);
        write::sequence(&[
            &write::integer(3),
            &write::sequence(&[
                &write::oid(DATA),
                &write::explicit(0, &write::octets(&safe)),
            ]),
            &write::sequence(&[
                &write::sequence(&[
                    &write::sequence(&[&write::oid(mac_algorithm), &write::null()]),
                    &write::octets(mac),
                ]),
                &write::octets(&[7u8; 8]),
                &write::integer(iterations),
            ]),
        ])
    }

    fn data_part(contents: &[u8]) -> Vec<u8> {
        write::sequence(&[
            &write::oid(DATA),
            &write::explicit(0, &write::octets(contents)),
        ])
    }

    #[test]
    fn a_small_file_asking_for_minutes_of_work_is_refused_before_the_work() {
        // 10^7 HMAC-Streebog-512 iterations for the MAC alone: about two minutes, for 144 bytes.
        let empty = data_part(&write::sequence(&[]));
        let file = pfx(&[&empty], "1.2.643.7.1.1.2.3", 10_000_000, &[0u8; 64]);
        assert!(file.len() < 150, "{}", file.len());
        assert!(matches!(parse(&file, b""), Err(FormatError::TooMuchWork)));
        assert!(matches!(
            parse(&file, b"any"),
            Err(FormatError::TooMuchWork)
        ));
        // The same file at a real file's count is simply a wrong password.
        let real = pfx(&[&empty], "1.2.643.7.1.1.2.3", 2048, &[0u8; 64]);
        assert!(matches!(
            parse(&real, b""),
            Err(FormatError::WrongFilePassword)
        ));
    }

    #[test]
    fn the_stoppable_pbkdf2_gives_what_the_crate_gives() {
        let never = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stoppable = pbe::Budget::per_file().stopped_by(Some(never));
        let plain = pbe::Budget::per_file();
        let (mut ours, mut theirs) = ([0u8; 96], [0u8; 96]);
        pbe::pbkdf2_within::<HmacStreebog512>(b"pw", b"salt", 1500, &mut ours, &stoppable)
            .expect("ours");
        pbe::pbkdf2_within::<HmacStreebog512>(b"pw", b"salt", 1500, &mut theirs, &plain)
            .expect("theirs");
        assert_eq!(ours, theirs);
        let (mut ours, mut theirs) = ([0u8; 40], [0u8; 40]);
        pbe::pbkdf2_within::<Hmac<sha2::Sha256>>(b"pw", b"salt", 1500, &mut ours, &stoppable)
            .expect("ours");
        pbe::pbkdf2_within::<Hmac<sha2::Sha256>>(b"pw", b"salt", 1500, &mut theirs, &plain)
            .expect("theirs");
        assert_eq!(ours, theirs);
    }

    #[test]
    fn a_stop_ends_a_password_check_under_way() {
        // Within the budget (10^7 SHA-1 rounds of the PKCS#12 KDF), so it would be worked through.
        let empty = data_part(&write::sequence(&[]));
        let file = pfx(&[&empty], "1.3.14.3.2.26", 10_000_000, &[0u8; 20]);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let pressed = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(20));
                stop.store(true, std::sync::atomic::Ordering::SeqCst);
            })
        };
        let budget = pbe::Budget::per_file().stopped_by(Some(stop));
        assert!(matches!(
            parse_within(&file, b"", &budget),
            Err(FormatError::Stopped)
        ));
        pressed.join().expect("pressed");
    }

    #[test]
    fn the_work_of_every_part_adds_up_within_one_file() {
        // A budget that would last for 2.5 derivations of 10^6 HMAC-SHA-256 iterations lasts for two.
        let budget = pbe::Budget::per_file();
        let one = pbe::Budget::PER_FILE_NS * 2 / 5;
        assert!(budget.charge(one, 1, 1).is_ok());
        assert!(budget.charge(one, 1, 1).is_ok());
        assert!(matches!(
            budget.charge(one, 1, 1),
            Err(FormatError::TooMuchWork)
        ));
        // And a file of many encrypted parts, each at the largest count a single derivation may
        // have, is refused at the first part that would overrun, with a MAC that is right.
        let encrypted = |iterations: u64| {
            let algorithm = write::sequence(&[
                &write::oid("1.2.840.113549.1.5.13"),
                &write::sequence(&[
                    &write::sequence(&[
                        &write::oid("1.2.840.113549.1.5.12"),
                        &write::sequence(&[
                            &write::octets(&[1u8; 8]),
                            &write::integer(iterations),
                            &write::sequence(&[&write::oid("1.2.840.113549.2.9"), &write::null()]),
                        ]),
                    ]),
                    &write::sequence(&[
                        &write::oid("2.16.840.1.101.3.4.1.42"),
                        &write::octets(&[0u8; 16]),
                    ]),
                ]),
            ]);
            write::sequence(&[
                &write::oid(ENCRYPTED_DATA),
                &write::explicit(
                    0,
                    &write::sequence(&[
                        &write::integer(0),
                        &write::sequence(&[
                            &write::oid(DATA),
                            &algorithm,
                            &write::tlv(0x80, &[0u8; 32]),
                        ]),
                    ]),
                ),
            ])
        };
        let part = encrypted(10_000_000);
        let parts: Vec<&[u8]> = std::iter::repeat_n(part.as_slice(), 200).collect();
        let safe = write::sequence(&parts);
        // The right MAC for the empty password: SHA-256, 2048 iterations, salt as in `pfx`.
        let mut key = Zeroizing::new([0u8; 32]);
        pbe::pkcs12_kdf::<sha2::Sha256>(
            &pbe::bmp_password(b""),
            &[7u8; 8],
            3,
            2048,
            64,
            &mut key[..],
        );
        let mut mac = <Hmac<sha2::Sha256> as hmac::KeyInit>::new_from_slice(&key[..]).expect("key");
        hmac::Mac::update(&mut mac, &safe);
        let tag = hmac::Mac::finalize(mac).into_bytes();
        let file = pfx(&parts, "2.16.840.1.101.3.4.2.1", 2048, &tag);
        assert!(matches!(parse(&file, b""), Err(FormatError::TooMuchWork)));
    }

    #[test]
    fn a_pfx_shaped_file_with_junk_inside_is_not_taken_for_a_locked_one() {
        // Version 3, authSafe of type data: what a sniff sees; inside, no ContentInfos.
        let junk = pfx(&[], "2.16.840.1.101.3.4.2.1", 2048, &[0u8; 32]);
        let error = parse(&junk, b"").expect_err("junk");
        assert!(matches!(error, FormatError::Der { .. }), "{error:?}");
        let mut file = write::sequence(&[
            &write::integer(3),
            &write::sequence(&[
                &write::oid(DATA),
                &write::explicit(0, &write::octets(b"\x30\x03\x04\x01\xff junk after")),
            ]),
        ]);
        file.extend_from_slice(&[0u8; 4]);
        let error = parse(&file, b"").expect_err("junk");
        assert!(
            !matches!(error, FormatError::WrongFilePassword),
            "{error:?}"
        );
    }
}
