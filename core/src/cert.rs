//! The X.509 certificate model (RFC 5280) on `x509-parser`, with what a Russian qualified certificate
//! adds: INN, INNLE, OGRN, OGRNIP and SNILS in the subject, the signing tools of the subject and the
//! issuer, the certificate policies of the protection classes (KC1..KA1), and the private key usage
//! period (extension 2.5.29.16), which for qualified signatures often ends before the certificate.

use std::fmt::Write as _;

use digest::Digest;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::crypto::gost::{ParamSet, PublicKey};
use crate::error::CertificateError;
use crate::formats::der::{self, Reader, tag};

/// One attribute of a distinguished name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NameAttribute {
    /// The attribute's object identifier.
    pub oid: String,
    /// Its short name where there is one (CN, O, INN, SNILS...).
    pub name: String,
    /// Its value as text.
    pub value: String,
}

/// A distinguished name in the order of the certificate.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Name {
    /// Every attribute.
    pub attributes: Vec<NameAttribute>,
}

impl Name {
    /// The first value of the attribute with this OID.
    pub fn get(&self, oid: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|attribute| attribute.oid == oid)
            .map(|attribute| attribute.value.as_str())
    }

    /// The common name, or failing that the organisation.
    pub fn display_name(&self) -> &str {
        self.get(oid::CN).or_else(|| self.get(oid::O)).unwrap_or("")
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, attribute) in self.attributes.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}={}", attribute.name, attribute.value)?;
        }
        Ok(())
    }
}

/// Object identifiers used here.
pub mod oid {
    /// commonName.
    pub const CN: &str = "2.5.4.3";
    /// organizationName.
    pub const O: &str = "2.5.4.10";
    /// ИНН of a person or of an organisation in older certificates (1.2.643.3.131.1.1).
    pub const INN: &str = "1.2.643.3.131.1.1";
    /// ИНН ЮЛ, the INN of a legal entity (1.2.643.100.4).
    pub const INNLE: &str = "1.2.643.100.4";
    /// ОГРН (1.2.643.100.1).
    pub const OGRN: &str = "1.2.643.100.1";
    /// ОГРНИП (1.2.643.100.5).
    pub const OGRNIP: &str = "1.2.643.100.5";
    /// СНИЛС (1.2.643.100.3).
    pub const SNILS: &str = "1.2.643.100.3";
    /// subjectSignTool (1.2.643.100.111).
    pub const SUBJECT_SIGN_TOOL: &str = "1.2.643.100.111";
    /// issuerSignTool (1.2.643.100.112).
    pub const ISSUER_SIGN_TOOL: &str = "1.2.643.100.112";
    /// privateKeyUsagePeriod (2.5.29.16).
    pub const PRIVATE_KEY_USAGE_PERIOD: &str = "2.5.29.16";
    /// certificatePolicies (2.5.29.32).
    pub const CERTIFICATE_POLICIES: &str = "2.5.29.32";
}

fn attribute_name(oid: &str) -> String {
    match oid {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "SN",
        "2.5.4.42" => "GN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "T",
        "1.2.840.113549.1.9.1" => "E",
        oid::INN => "INN",
        oid::INNLE => "INNLE",
        oid::OGRN => "OGRN",
        oid::OGRNIP => "OGRNIP",
        oid::SNILS => "SNILS",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// The key algorithm and its parameters by name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyAlgorithm {
    /// A name people know: "GOST R 34.10-2012 256", "RSA 2048", "EC P-256".
    pub name: String,
    /// The algorithm's object identifier.
    pub oid: String,
    /// The curve or GOST parameter set, by name.
    pub parameters: Option<String>,
}

/// Where a certificate stands at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Within its validity and private key usage period.
    Valid,
    /// notBefore is still ahead.
    NotYetValid,
    /// notAfter has passed.
    Expired,
    /// The certificate is valid but its private key may no longer sign (usage period ended).
    PrivateKeyPeriodEnded,
}

/// Within this many days a deadline is near: "expires in N days".
pub const SOON_DAYS: i64 = 30;

/// Where a certificate stands for a person at a given time — the one rule behind the command
/// line's status, the window's badge and the reminders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Valid, with more than [`SOON_DAYS`] to go.
    Valid,
    /// The certificate or its key period ends within [`SOON_DAYS`], in this many days.
    ExpiresIn(i64),
    /// notBefore is still ahead.
    NotYetValid,
    /// notAfter has passed.
    Expired,
    /// The private key usage period has ended (the certificate itself may still verify).
    KeyPeriodEnded,
    /// A newer certificate of the same owner replaced it.
    Superseded,
}

/// A certificate's periods, Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    /// notBefore.
    pub not_before: i64,
    /// notAfter.
    pub not_after: i64,
    /// The end of the private key usage period, when the certificate states one.
    pub private_key_not_after: Option<i64>,
}

impl Periods {
    /// Where the certificate stands at `now` by its periods alone.
    pub fn status_at(&self, now: i64) -> Status {
        if now < self.not_before {
            Status::NotYetValid
        } else if now > self.not_after {
            Status::Expired
        } else if self.private_key_not_after.is_some_and(|end| now > end) {
            Status::PrivateKeyPeriodEnded
        } else {
            Status::Valid
        }
    }

    /// The first deadline: the end of the key period when it comes first, else notAfter.
    pub fn deadline(&self) -> i64 {
        self.private_key_not_after
            .map_or(self.not_after, |end| end.min(self.not_after))
    }

    /// Where the certificate stands for a person at `now`, `superseded` when a newer one of the
    /// same owner replaced it.
    pub fn standing_at(&self, now: i64, superseded: bool) -> Standing {
        if superseded {
            return Standing::Superseded;
        }
        match self.status_at(now) {
            Status::NotYetValid => Standing::NotYetValid,
            Status::Expired => Standing::Expired,
            Status::PrivateKeyPeriodEnded => Standing::KeyPeriodEnded,
            Status::Valid => match crate::expiry::days_left(self.deadline(), now) {
                days if days <= SOON_DAYS => Standing::ExpiresIn(days),
                _ => Standing::Valid,
            },
        }
    }
}

/// A parsed certificate.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Certificate {
    /// The subject.
    pub subject: Name,
    /// The issuer.
    pub issuer: Name,
    /// The serial number, uppercase hex as Windows and CryptoPro show it.
    pub serial: String,
    /// notBefore, seconds since the Unix epoch.
    pub not_before: i64,
    /// notAfter, seconds since the Unix epoch.
    pub not_after: i64,
    /// Start of the private key usage period, when the certificate states one.
    pub private_key_not_before: Option<i64>,
    /// End of the private key usage period, when the certificate states one.
    pub private_key_not_after: Option<i64>,
    /// The subject's key algorithm.
    pub key_algorithm: KeyAlgorithm,
    /// Key usage bits by name.
    pub key_usage: Vec<String>,
    /// Extended key usages by name or OID.
    pub extended_key_usage: Vec<String>,
    /// Subject key identifier, uppercase hex.
    pub subject_key_id: Option<String>,
    /// Authority key identifier, uppercase hex.
    pub authority_key_id: Option<String>,
    /// Whether this is a CA certificate.
    pub is_ca: bool,
    /// SHA-1 of the DER, uppercase hex: the thumbprint Windows and CryptoPro show.
    pub sha1_thumbprint: String,
    /// SHA-256 of the DER, uppercase hex.
    pub sha256_fingerprint: String,
    /// ИНН (person, or organisation in older certificates).
    pub inn: Option<String>,
    /// ИНН ЮЛ.
    pub innle: Option<String>,
    /// ОГРН.
    pub ogrn: Option<String>,
    /// ОГРНИП.
    pub ogrnip: Option<String>,
    /// СНИЛС.
    pub snils: Option<String>,
    /// The subject's signing tool (СКЗИ), from extension 1.2.643.100.111.
    pub subject_sign_tool: Option<String>,
    /// The issuer's tools and their conformity certificates, from extension 1.2.643.100.112.
    pub issuer_sign_tool: Vec<String>,
    /// Certificate policies: the protection classes by name (KC1..KA1) and other OIDs.
    pub policies: Vec<String>,
    /// The subject's public key in the form private keys are matched against (read once, with the
    /// rest of the certificate).
    #[serde(skip)]
    pub public_key: Option<crate::formats::pkcs8::PublicKeyMaterial>,
    /// The DER encoding.
    #[serde(skip)]
    pub der: Vec<u8>,
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut text, byte| {
            let _ = write!(text, "{byte:02X}");
            text
        })
}

impl Name {
    /// A Name from its DER encoding (as CMS names a recipient's issuer).
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateError> {
        use x509_parser::prelude::FromDer;
        let (_, name) = x509_parser::x509::X509Name::from_der(der).map_err(|error| {
            CertificateError::Parse {
                reason: error.to_string(),
            }
        })?;
        Ok(name_of(&name))
    }
}

fn name_of(name: &x509_parser::x509::X509Name<'_>) -> Name {
    Name {
        attributes: name
            .iter_attributes()
            .map(|attribute| {
                let oid = attribute.attr_type().to_id_string();
                let value = match attribute.as_str() {
                    Ok(text) => text.to_owned(),
                    // BMPString and other encodings: UTF-16BE for BMPString, hex otherwise.
                    Err(_) => {
                        let raw = attribute.as_slice();
                        if attribute.attr_value().tag().0 == 30 && raw.len().is_multiple_of(2) {
                            let units: Vec<u16> = raw
                                .chunks(2)
                                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                                .collect();
                            String::from_utf16_lossy(&units)
                        } else {
                            hex_upper(raw)
                        }
                    }
                };
                NameAttribute {
                    name: attribute_name(&oid),
                    oid,
                    // Control characters and direction overrides never reach a terminal, a window
                    // or the archive as they are.
                    value: crate::text::printable(&value).into_owned(),
                }
            })
            .collect(),
    }
}

fn key_algorithm(certificate: &X509Certificate<'_>) -> KeyAlgorithm {
    let spki = certificate.public_key();
    let oid = spki.algorithm.algorithm.to_id_string();
    let parameter_oids: Vec<String> = spki
        .algorithm
        .parameters
        .as_ref()
        .map(|any| {
            let mut oids = Vec::new();
            let _ = der::walk(any.as_bytes(), 2, &mut |tlv, _| {
                if tlv.tag == tag::OID {
                    oids.extend(der::oid_to_string(tlv.value));
                }
            });
            if any.tag().0 == 6 {
                oids.extend(der::oid_to_string(any.as_bytes()));
            }
            oids
        })
        .unwrap_or_default();
    let gost_set = parameter_oids
        .iter()
        .find_map(|oid| ParamSet::from_oid(oid).ok());
    let (name, parameters) = match oid.as_str() {
        "1.2.840.113549.1.1.1" => {
            let bits = match spki.parsed() {
                Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => rsa.key_size(),
                _ => 0,
            };
            (format!("RSA {bits}"), None)
        }
        "1.2.840.10045.2.1" => {
            let curve = match parameter_oids.first().map(String::as_str) {
                Some("1.2.840.10045.3.1.7") => "P-256".to_owned(),
                Some("1.3.132.0.34") => "P-384".to_owned(),
                Some("1.3.132.0.35") => "P-521".to_owned(),
                Some(other) => other.to_owned(),
                None => "unknown curve".to_owned(),
            };
            (format!("EC {curve}"), Some(curve))
        }
        "1.2.643.2.2.19" | "1.2.643.2.2.98" => (
            "GOST R 34.10-2001".to_owned(),
            gost_set.map(|set| set.name().to_owned()),
        ),
        "1.2.643.7.1.1.1.1" | "1.2.643.7.1.1.6.1" => (
            "GOST R 34.10-2012 256".to_owned(),
            gost_set.map(|set| set.name().to_owned()),
        ),
        "1.2.643.7.1.1.1.2" | "1.2.643.7.1.1.6.2" => (
            "GOST R 34.10-2012 512".to_owned(),
            gost_set.map(|set| set.name().to_owned()),
        ),
        other => (other.to_owned(), parameter_oids.first().cloned()),
    };
    KeyAlgorithm {
        name,
        oid,
        parameters,
    }
}

/// GeneralizedTime (`YYYYMMDDHHMMSSZ`) to seconds since the Unix epoch.
pub fn generalized_time_to_unix(text: &str) -> Option<i64> {
    generalized_time(text)
}

pub(crate) fn generalized_time(text: &str) -> Option<i64> {
    let digits = text.strip_suffix('Z')?;
    if digits.len() < 14 || !digits[..14].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| digits[range].parse::<i64>().ok();
    let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
    let (hour, minute, second) = (number(8..10)?, number(10..12)?, number(12..14)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// The subject's public key as [`crate::formats::pkcs8::PublicKeyMaterial`]: GOST x ‖ y little-endian
/// as the certificate carries it, the RSA modulus without leading zeros, the EC point.
fn public_key_material_of(
    parsed: &X509Certificate<'_>,
    key_algorithm: &KeyAlgorithm,
) -> Option<crate::formats::pkcs8::PublicKeyMaterial> {
    debug_assert_eq!(
        key_algorithm.oid,
        parsed.public_key().algorithm.algorithm.to_id_string()
    );
    material_of(parsed.public_key())
}

/// The public key of a SubjectPublicKeyInfo (DER) as [`crate::formats::pkcs8::PublicKeyMaterial`]
/// (a certificate request's, a token's new key's).
pub fn public_key_material_of_spki(
    spki: &[u8],
) -> Option<crate::formats::pkcs8::PublicKeyMaterial> {
    use x509_parser::prelude::FromDer;
    let (rest, parsed) = x509_parser::x509::SubjectPublicKeyInfo::from_der(spki).ok()?;
    rest.is_empty().then_some(())?;
    material_of(&parsed)
}

fn material_of(
    spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>,
) -> Option<crate::formats::pkcs8::PublicKeyMaterial> {
    use crate::formats::pkcs8::PublicKeyMaterial;
    if spki
        .algorithm
        .algorithm
        .to_id_string()
        .starts_with("1.2.643.")
    {
        // The BIT STRING holds an OCTET STRING with x ‖ y, little-endian, 64 or 128 bytes.
        let octets = Reader::new(&spki.subject_public_key.data)
            .required("GOST public key")
            .ok()?
            .expect(tag::OCTET_STRING, "GOST public key")
            .ok()?;
        return matches!(octets.len(), 64 | 128).then(|| PublicKeyMaterial {
            family: "gost",
            bytes: octets.to_vec(),
        });
    }
    match spki.parsed().ok()? {
        x509_parser::public_key::PublicKey::RSA(rsa) => {
            let start = rsa
                .modulus
                .iter()
                .position(|byte| *byte != 0)
                .unwrap_or(rsa.modulus.len());
            Some(PublicKeyMaterial {
                family: "rsa",
                bytes: rsa.modulus[start..].to_vec(),
            })
        }
        x509_parser::public_key::PublicKey::EC(point) => Some(PublicKeyMaterial {
            family: "ec",
            bytes: point.data().to_vec(),
        }),
        _ => None,
    }
}

/// The ten-digit INN of an organisation written in its old twelve-digit form ("00" and the ten
/// digits), or `None` when `inn` is not of that form (a person's INN, or an INN already of ten).
pub fn organisation_inn_of_old_form(inn: &str) -> Option<&str> {
    (inn.len() == 12 && inn.bytes().all(|byte| byte.is_ascii_digit()))
        .then(|| inn.strip_prefix("00"))
        .flatten()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A certificate's SHA-1 thumbprint as Windows and CryptoPro show it, typed by a person in any
/// case, with spaces or colons between the bytes: kept as uppercase hex without separators, the
/// form certkeeper stores and compares.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Thumbprint(String);

impl Thumbprint {
    /// The thumbprint `text` names (any case; spaces and colons dropped).
    pub fn new(text: &str) -> Self {
        Self(text.trim().to_uppercase().replace([' ', ':'], ""))
    }

    /// Uppercase hex without separators.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is `certificate`'s.
    pub fn is_of(&self, certificate: &Certificate) -> bool {
        certificate.sha1_thumbprint == self.0
    }
}

impl std::fmt::Display for Thumbprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The day of `timestamp` (seconds since the Unix epoch, UTC) as `YYYY-MM-DD`: how every list and
/// message shows a date.
pub fn format_date(timestamp: i64) -> String {
    let mut text = format_time(timestamp);
    text.truncate(10);
    text
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_time(timestamp: i64) -> String {
    let days = timestamp.div_euclid(86_400);
    let seconds = timestamp.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// PrivateKeyUsagePeriod ::= SEQUENCE { notBefore [0] IMPLICIT GeneralizedTime OPTIONAL,
/// notAfter [1] IMPLICIT GeneralizedTime OPTIONAL }.
fn usage_period(value: &[u8]) -> Result<(Option<i64>, Option<i64>), CertificateError> {
    let bad = |_| CertificateError::Extension {
        oid: oid::PRIVATE_KEY_USAGE_PERIOD,
    };
    let sequence = Reader::new(value)
        .required("private key usage period")
        .map_err(bad)?;
    let mut times = sequence.children();
    let (mut not_before, mut not_after) = (None, None);
    while let Some(time) = times.next_tlv("private key usage period").map_err(bad)? {
        let parsed = generalized_time(&String::from_utf8_lossy(time.value));
        match time.tag {
            0x80 => not_before = parsed,
            0x81 => not_after = parsed,
            _ => {}
        }
    }
    Ok((not_before, not_after))
}

/// The UTF8String values in an extension (subjectSignTool is one, issuerSignTool a SEQUENCE of four).
fn strings(value: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let _ = der::walk(value, 2, &mut |tlv, _| {
        if matches!(tlv.tag, 0x0c | 0x13 | 0x16 | 0x1e) {
            found.push(String::from_utf8_lossy(tlv.value).into_owned());
        }
    });
    found
}

fn policy_name(oid: &str) -> String {
    match oid {
        "1.2.643.100.113.1" => "KC1".to_owned(),
        "1.2.643.100.113.2" => "KC2".to_owned(),
        "1.2.643.100.113.3" => "KC3".to_owned(),
        "1.2.643.100.113.4" => "KB1".to_owned(),
        "1.2.643.100.113.5" => "KB2".to_owned(),
        "1.2.643.100.113.6" => "KA1".to_owned(),
        other => other.to_owned(),
    }
}

impl Certificate {
    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateError> {
        let (rest, parsed) =
            X509Certificate::from_der(der).map_err(|error| CertificateError::Parse {
                reason: error.to_string(),
            })?;
        if !rest.is_empty() {
            return Err(CertificateError::Parse {
                reason: format!("{} bytes after the certificate", rest.len()),
            });
        }
        let der = der.to_vec();
        let mut certificate = Self {
            subject: name_of(parsed.subject()),
            issuer: name_of(parsed.issuer()),
            serial: hex_upper(parsed.raw_serial()),
            not_before: parsed.validity().not_before.timestamp(),
            not_after: parsed.validity().not_after.timestamp(),
            private_key_not_before: None,
            private_key_not_after: None,
            key_algorithm: key_algorithm(&parsed),
            key_usage: Vec::new(),
            extended_key_usage: Vec::new(),
            subject_key_id: None,
            authority_key_id: None,
            is_ca: false,
            sha1_thumbprint: hex_upper(&sha1::Sha1::digest(&der)),
            sha256_fingerprint: hex_upper(&sha2::Sha256::digest(&der)),
            inn: None,
            innle: None,
            ogrn: None,
            ogrnip: None,
            snils: None,
            subject_sign_tool: None,
            issuer_sign_tool: Vec::new(),
            policies: Vec::new(),
            public_key: None,
            der: Vec::new(),
        };
        certificate.public_key = public_key_material_of(&parsed, &certificate.key_algorithm);
        for (field, oid) in [
            (&mut certificate.inn, oid::INN),
            (&mut certificate.innle, oid::INNLE),
            (&mut certificate.ogrn, oid::OGRN),
            (&mut certificate.ogrnip, oid::OGRNIP),
            (&mut certificate.snils, oid::SNILS),
        ] {
            *field = certificate.subject.get(oid).map(str::to_owned);
        }
        // An organisation's INN in its old form: twelve digits under the INN attribute, "00" and
        // the ten-digit INN (newer certificates put the ten digits under INNLE). A person's INN never
        // begins with 00 (those are region digits), so the organisation's is known in both forms.
        if certificate.innle.is_none()
            && let Some(ten) = certificate
                .inn
                .as_deref()
                .and_then(organisation_inn_of_old_form)
        {
            certificate.innle = Some(ten.to_owned());
        }
        use x509_parser::extensions::ParsedExtension;
        for extension in parsed.extensions() {
            let oid = extension.oid.to_id_string();
            match extension.parsed_extension() {
                ParsedExtension::KeyUsage(usage) => {
                    const NAMES: [&str; 9] = [
                        "digitalSignature",
                        "nonRepudiation",
                        "keyEncipherment",
                        "dataEncipherment",
                        "keyAgreement",
                        "keyCertSign",
                        "cRLSign",
                        "encipherOnly",
                        "decipherOnly",
                    ];
                    certificate.key_usage = NAMES
                        .iter()
                        .enumerate()
                        .filter(|(bit, _)| usage.flags >> bit & 1 == 1)
                        .map(|(_, name)| (*name).to_owned())
                        .collect();
                }
                ParsedExtension::ExtendedKeyUsage(usage) => {
                    let mut names = Vec::new();
                    for (set, name) in [
                        (usage.any, "anyExtendedKeyUsage"),
                        (usage.server_auth, "serverAuth"),
                        (usage.client_auth, "clientAuth"),
                        (usage.code_signing, "codeSigning"),
                        (usage.email_protection, "emailProtection"),
                        (usage.time_stamping, "timeStamping"),
                        (usage.ocsp_signing, "OCSPSigning"),
                    ] {
                        if set {
                            names.push(name.to_owned());
                        }
                    }
                    names.extend(usage.other.iter().map(|oid| oid.to_id_string()));
                    certificate.extended_key_usage = names;
                }
                ParsedExtension::SubjectKeyIdentifier(id) => {
                    certificate.subject_key_id = Some(hex_upper(id.0))
                }
                ParsedExtension::AuthorityKeyIdentifier(id) => {
                    certificate.authority_key_id =
                        id.key_identifier.as_ref().map(|id| hex_upper(id.0));
                }
                ParsedExtension::BasicConstraints(constraints) => {
                    certificate.is_ca = constraints.ca
                }
                ParsedExtension::CertificatePolicies(policies) => {
                    certificate.policies = policies
                        .iter()
                        .map(|policy| policy_name(&policy.policy_id.to_id_string()))
                        .collect();
                }
                _ => match oid.as_str() {
                    oid::PRIVATE_KEY_USAGE_PERIOD => {
                        (
                            certificate.private_key_not_before,
                            certificate.private_key_not_after,
                        ) = usage_period(extension.value)?;
                    }
                    oid::SUBJECT_SIGN_TOOL => {
                        certificate.subject_sign_tool = strings(extension.value).into_iter().next()
                    }
                    oid::ISSUER_SIGN_TOOL => {
                        certificate.issuer_sign_tool = strings(extension.value)
                    }
                    _ => {}
                },
            }
        }
        certificate.der = der;
        Ok(certificate)
    }

    /// Its periods.
    pub fn periods(&self) -> Periods {
        Periods {
            not_before: self.not_before,
            not_after: self.not_after,
            private_key_not_after: self.private_key_not_after,
        }
    }

    /// Where the certificate stands at `now` (seconds since the Unix epoch).
    pub fn status_at(&self, now: i64) -> Status {
        self.periods().status_at(now)
    }

    /// The subject's public key in the form [`crate::formats::pkcs8::PublicKeyMaterial`] compares.
    pub fn public_key_material(&self) -> Option<crate::formats::pkcs8::PublicKeyMaterial> {
        self.public_key.clone()
    }

    /// The SubjectPublicKeyInfo, DER (for RSA and ECDSA signature checks).
    pub fn subject_public_key_info(&self) -> Option<Vec<u8>> {
        let (_, parsed) = X509Certificate::from_der(&self.der).ok()?;
        Some(parsed.public_key().raw.to_vec())
    }

    /// The subject name as DER (what PKCS#11 keeps as a certificate's CKA_SUBJECT).
    pub fn subject_der(&self) -> Option<Vec<u8>> {
        let (_, parsed) = X509Certificate::from_der(&self.der).ok()?;
        Some(parsed.subject().as_raw().to_vec())
    }

    /// The subject's GOST public key, when the certificate holds one.
    pub fn gost_public_key(&self) -> Option<PublicKey> {
        let (_, parsed) = X509Certificate::from_der(&self.der).ok()?;
        let set =
            ParamSet::from_oid(self.key_algorithm.parameters.as_deref().and_then(|name| {
                ParamSet::ALL
                    .into_iter()
                    .find(|set| set.name() == name)
                    .map(|set| set.oid())
            })?)
            .ok()?;
        // The BIT STRING holds an OCTET STRING with x ‖ y, little-endian.
        let octets = Reader::new(&parsed.public_key().subject_public_key.data)
            .required("GOST public key")
            .ok()?
            .expect(tag::OCTET_STRING, "GOST public key")
            .ok()?;
        PublicKey::from_le_bytes(set, octets).ok()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_standing_of_a_certificate_follows_one_rule() {
        use super::{Periods, Standing};
        let day = 86_400;
        let periods = Periods {
            not_before: 100 * day,
            not_after: 500 * day,
            private_key_not_after: Some(400 * day),
        };
        assert_eq!(periods.standing_at(50 * day, false), Standing::NotYetValid);
        assert_eq!(periods.standing_at(200 * day, false), Standing::Valid);
        // The key period ends first: its end is the deadline.
        assert_eq!(
            periods.standing_at(390 * day, false),
            Standing::ExpiresIn(10)
        );
        assert_eq!(
            periods.standing_at(450 * day, false),
            Standing::KeyPeriodEnded
        );
        assert_eq!(periods.standing_at(501 * day, false), Standing::Expired);
        assert_eq!(periods.standing_at(200 * day, true), Standing::Superseded);
    }

    #[test]
    fn a_thumbprint_is_read_as_people_type_it() {
        let typed = super::Thumbprint::new(" a8:51 f2a8 ");
        assert_eq!(typed.as_str(), "A851F2A8");
        assert_eq!(typed, super::Thumbprint::new("A851F2A8"));
        assert_eq!(typed.to_string(), "A851F2A8");
    }

    use super::*;

    #[test]
    fn times_convert_both_ways() {
        for (text, iso) in [
            ("19700101000000Z", "1970-01-01T00:00:00Z"),
            ("20200701145845Z", "2020-07-01T14:58:45Z"),
            ("20240229235959Z", "2024-02-29T23:59:59Z"),
            ("21000301000000Z", "2100-03-01T00:00:00Z"),
        ] {
            let seconds = generalized_time(text).expect("valid time");
            assert_eq!(format_time(seconds), iso);
        }
        assert_eq!(generalized_time("2020070114"), None);
        assert_eq!(generalized_time("20201301000000Z"), None);
    }

    #[test]
    fn garbage_is_a_typed_error() {
        for data in [&b""[..], b"\x30\x03\x02\x01", b"not a certificate at all"] {
            assert!(matches!(
                Certificate::from_der(data),
                Err(CertificateError::Parse { .. })
            ));
        }
    }
}
