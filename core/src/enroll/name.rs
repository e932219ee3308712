//! The subject of a certificate request: RFC 4514 text read into an X.501 Name, with the Russian
//! qualified certificate's fields (Order of the FSB No. 795, and the TC26 attribute types) encoded as
//! CAs expect them — INN, INNLE, SNILS, OGRN and OGRNIP as NumericString with their check digits
//! verified, the country as PrintableString, e-mail as IA5String, the rest as UTF8String.

use crate::formats::der::write;

/// What is wrong with a subject, for the catalogue to explain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubjectError {
    /// Nothing was given.
    #[error("the subject is empty")]
    Empty,
    /// The text is not `TYPE=value, TYPE=value, …` at this character.
    #[error("the subject is not RFC 4514 text at character {at}")]
    Syntax {
        /// Character position (from 1).
        at: usize,
    },
    /// An attribute type certkeeper does not know (a dotted OID is always accepted).
    #[error("unknown attribute type {name}")]
    UnknownAttribute {
        /// What was given.
        name: String,
    },
    /// A numeric field holds something else than digits.
    #[error("{field} must be digits only, got {value}")]
    NotDigits {
        /// INN, SNILS, …
        field: &'static str,
        /// What was given.
        value: String,
    },
    /// A numeric field has the wrong number of digits.
    #[error("{field} must have {expected} digits, got {got}")]
    Length {
        /// INN, SNILS, …
        field: &'static str,
        /// How many it must have (for INN: 12, or 10 for an organisation).
        expected: &'static str,
        /// How many were given.
        got: usize,
    },
    /// A numeric field's check digit does not match: a typing mistake.
    #[error("{field} {value} has a wrong check digit")]
    CheckDigit {
        /// INN, SNILS, …
        field: &'static str,
        /// What was given.
        value: String,
    },
    /// The country is not two letters (ISO 3166).
    #[error("the country must be two letters (RU), got {value}")]
    Country {
        /// What was given.
        value: String,
    },
    /// The e-mail address is not ASCII with an @.
    #[error("{value} is not an e-mail address")]
    Email {
        /// What was given.
        value: String,
    },
    /// A value is empty.
    #[error("{field} has no value")]
    EmptyValue {
        /// The attribute's name.
        field: String,
    },
    /// A field a qualified certificate needs is not given.
    #[error("{field} is required")]
    Missing {
        /// The field ([`Field::key`]).
        field: &'static str,
    },
}

/// How a value is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Utf8,
    Printable,
    Ia5,
    /// Digits, with the number of digits allowed and the check.
    Numeric(&'static str),
}

/// Every attribute type a person may name: the names (RFC 4514 and OpenSSL's, Russian ones
/// included), the OID and the encoding.
const ATTRIBUTES: &[(&[&str], &str, Kind)] = &[
    (&["CN", "COMMONNAME"], "2.5.4.3", Kind::Utf8),
    (&["SN", "SURNAME"], "2.5.4.4", Kind::Utf8),
    (&["GN", "GIVENNAME"], "2.5.4.42", Kind::Utf8),
    (&["T", "TITLE"], "2.5.4.12", Kind::Utf8),
    (&["O", "ORGANIZATIONNAME"], "2.5.4.10", Kind::Utf8),
    (&["OU", "ORGANIZATIONALUNITNAME"], "2.5.4.11", Kind::Utf8),
    (&["L", "LOCALITYNAME"], "2.5.4.7", Kind::Utf8),
    (&["ST", "STATEORPROVINCENAME", "S"], "2.5.4.8", Kind::Utf8),
    (&["STREET", "STREETADDRESS"], "2.5.4.9", Kind::Utf8),
    (&["C", "COUNTRYNAME"], "2.5.4.6", Kind::Printable),
    (
        &["E", "EMAIL", "EMAILADDRESS"],
        "1.2.840.113549.1.9.1",
        Kind::Ia5,
    ),
    (&["INN", "ИНН"], "1.2.643.3.131.1.1", Kind::Numeric("INN")),
    (
        &["INNLE", "ИННЮЛ", "ИНН ЮЛ"],
        "1.2.643.100.4",
        Kind::Numeric("INNLE"),
    ),
    (&["SNILS", "СНИЛС"], "1.2.643.100.3", Kind::Numeric("SNILS")),
    (&["OGRN", "ОГРН"], "1.2.643.100.1", Kind::Numeric("OGRN")),
    (
        &["OGRNIP", "ОГРНИП"],
        "1.2.643.100.5",
        Kind::Numeric("OGRNIP"),
    ),
];

/// One attribute of the subject, as it goes into the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Its OID, dotted.
    pub oid: String,
    /// The name people know it by (`CN`, `INN`, …; the dotted OID for others).
    pub name: String,
    /// Its value (digits only for the numeric fields).
    pub value: String,
}

/// A subject read from RFC 4514 text: its attributes in the order they go into the Name (the text's
/// order reversed, as RFC 4514 writes the last RDN first), and the DER.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The attributes, one per RDN, in DER order (multi-valued RDNs flattened).
    pub attributes: Vec<Attribute>,
    /// The X.501 Name, DER.
    pub der: Vec<u8>,
}

impl Subject {
    /// Reads RFC 4514 text: `CN=Иванов Иван Иванович,SNILS=11223344595,INN=500100732259,C=RU`.
    /// Values may be quoted with `\` (RFC 4514 section 2.4) or given as `#` and hex BER; several
    /// attributes in one RDN are joined with `+`. Spaces around `,`, `+` and `=` are ignored. The
    /// numeric fields may be written with spaces and dashes (`112-233-445 95`).
    pub fn parse(text: &str) -> Result<Self, SubjectError> {
        let rdns = split_rdns(text)?;
        if rdns.is_empty() {
            return Err(SubjectError::Empty);
        }
        let mut attributes = Vec::new();
        let mut encoded_rdns = Vec::new();
        for rdn in rdns.into_iter().rev() {
            let mut members = Vec::new();
            for (name, value) in rdn {
                let (attribute, encoded) = attribute(&name, value)?;
                attributes.push(attribute);
                members.push(encoded);
            }
            // DER orders a SET OF by the encodings.
            members.sort();
            let refs: Vec<&[u8]> = members.iter().map(Vec::as_slice).collect();
            encoded_rdns.push(write::set(&refs));
        }
        let refs: Vec<&[u8]> = encoded_rdns.iter().map(Vec::as_slice).collect();
        Ok(Self {
            attributes,
            der: write::sequence(&refs),
        })
    }

    /// The value of the attribute `oid`, when it is there.
    pub fn get(&self, oid: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|attribute| attribute.oid == oid)
            .map(|attribute| attribute.value.as_str())
    }
}

/// A field of a qualified certificate's subject, as a person fills it in (the CA's form, the window's
/// first step, `request new --name …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// ФИО: the full name (CN); the surname (SN) and the given names (GN) are taken from it.
    FullName,
    /// Фамилия (SN).
    Surname,
    /// Имя и отчество (GN).
    GivenNames,
    /// СНИЛС.
    Snils,
    /// ИНН of the person.
    Inn,
    /// Организация (O).
    Organisation,
    /// Подразделение (OU).
    Unit,
    /// ИНН ЮЛ.
    Innle,
    /// ОГРН.
    Ogrn,
    /// ОГРНИП.
    Ogrnip,
    /// Должность (T).
    Title,
    /// Электронная почта (E).
    Email,
    /// Населённый пункт (L).
    Locality,
    /// Регион (ST).
    Region,
    /// Адрес (STREET).
    Street,
    /// Страна (C).
    Country,
}

impl Field {
    /// Every field, in the order a form shows them.
    pub const ALL: [Self; 16] = [
        Self::FullName,
        Self::Surname,
        Self::GivenNames,
        Self::Snils,
        Self::Inn,
        Self::Organisation,
        Self::Unit,
        Self::Innle,
        Self::Ogrn,
        Self::Ogrnip,
        Self::Title,
        Self::Email,
        Self::Locality,
        Self::Region,
        Self::Street,
        Self::Country,
    ];

    /// A stable name (`--json`, the catalogue).
    pub fn key(self) -> &'static str {
        match self {
            Self::FullName => "full_name",
            Self::Surname => "surname",
            Self::GivenNames => "given_names",
            Self::Snils => "snils",
            Self::Inn => "inn",
            Self::Organisation => "organisation",
            Self::Unit => "unit",
            Self::Innle => "innle",
            Self::Ogrn => "ogrn",
            Self::Ogrnip => "ogrnip",
            Self::Title => "title",
            Self::Email => "email",
            Self::Locality => "locality",
            Self::Region => "region",
            Self::Street => "street",
            Self::Country => "country",
        }
    }

    /// The attribute type it is written as.
    fn oid(self) -> &'static str {
        match self {
            Self::FullName => "2.5.4.3",
            Self::Surname => "2.5.4.4",
            Self::GivenNames => "2.5.4.42",
            Self::Snils => "1.2.643.100.3",
            Self::Inn => "1.2.643.3.131.1.1",
            Self::Organisation => "2.5.4.10",
            Self::Unit => "2.5.4.11",
            Self::Innle => "1.2.643.100.4",
            Self::Ogrn => "1.2.643.100.1",
            Self::Ogrnip => "1.2.643.100.5",
            Self::Title => "2.5.4.12",
            Self::Email => "1.2.840.113549.1.9.1",
            Self::Locality => "2.5.4.7",
            Self::Region => "2.5.4.8",
            Self::Street => "2.5.4.9",
            Self::Country => "2.5.4.6",
        }
    }

    /// The field an attribute type is.
    pub fn of_oid(oid: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.oid() == oid)
    }
}

/// What a person filled in. Empty fields are left out; the surname and given names come from the
/// full name unless given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// Each field and its value.
    pub values: Vec<(Field, String)>,
}

impl Fields {
    /// The value of `field`, trimmed, when it is given.
    pub fn get(&self, field: Field) -> Option<&str> {
        self.values
            .iter()
            .find(|(which, value)| *which == field && !value.trim().is_empty())
            .map(|(_, value)| value.trim())
    }

    /// Sets `field` (an empty value leaves it out).
    pub fn set(&mut self, field: Field, value: impl Into<String>) {
        self.values.retain(|(which, _)| *which != field);
        self.values.push((field, value.into()));
    }
}

/// A field that is wrong, and how.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {problem}", field.key())]
pub struct FieldError {
    /// The field.
    pub field: Field,
    /// What is wrong with it.
    pub problem: SubjectError,
}

/// The order of the Name's RDNs, first to last, as Russian CAs write a qualified certificate's
/// subject.
const FIELD_ORDER: [Field; 16] = [
    Field::Country,
    Field::Region,
    Field::Locality,
    Field::Street,
    Field::Organisation,
    Field::Unit,
    Field::Title,
    Field::Surname,
    Field::GivenNames,
    Field::FullName,
    Field::Email,
    Field::Snils,
    Field::Inn,
    Field::Innle,
    Field::Ogrn,
    Field::Ogrnip,
];

impl Subject {
    /// The subject of a qualified certificate from the fields of a form: every field checked (each
    /// error names its field), the person's SNILS required, an organisation's INN ЮЛ and ОГРН
    /// required with it, the country RU unless given.
    pub fn from_fields(fields: &Fields) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut values: Vec<(Field, String)> = Vec::new();
        let full_name = fields
            .get(Field::FullName)
            .map(|name| name.split_whitespace().collect::<Vec<_>>().join(" "));
        let missing = |field: Field| FieldError {
            field,
            problem: SubjectError::Missing { field: field.key() },
        };
        match &full_name {
            Some(name) => {
                values.push((Field::FullName, name.clone()));
                let (surname, given) = name.split_once(' ').unwrap_or((name.as_str(), ""));
                let surname = fields.get(Field::Surname).unwrap_or(surname).to_owned();
                let given = fields.get(Field::GivenNames).unwrap_or(given).to_owned();
                values.push((Field::Surname, surname));
                if !given.is_empty() {
                    values.push((Field::GivenNames, given));
                }
            }
            None => errors.push(missing(Field::FullName)),
        }
        if fields.get(Field::Snils).is_none() {
            errors.push(missing(Field::Snils));
        }
        if fields.get(Field::Organisation).is_some() {
            for field in [Field::Innle, Field::Ogrn] {
                if fields.get(field).is_none() {
                    errors.push(missing(field));
                }
            }
        }
        for field in Field::ALL {
            if matches!(field, Field::FullName | Field::Surname | Field::GivenNames) {
                continue;
            }
            if let Some(value) = fields.get(field) {
                values.push((field, value.to_owned()));
            }
        }
        if fields.get(Field::Country).is_none() {
            values.push((Field::Country, "RU".to_owned()));
        }
        let mut encoded = Vec::new();
        let mut attributes = Vec::new();
        for field in FIELD_ORDER {
            let Some((_, value)) = values.iter().find(|(which, _)| *which == field) else {
                continue;
            };
            match attribute(field.oid(), Value::Text(value.clone())) {
                Ok((attribute, der)) => {
                    attributes.push(attribute);
                    encoded.push(write::set(&[&der]));
                }
                Err(problem) => errors.push(FieldError { field, problem }),
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|error| Field::ALL.iter().position(|field| *field == error.field));
            errors.dedup();
            return Err(errors);
        }
        let refs: Vec<&[u8]> = encoded.iter().map(Vec::as_slice).collect();
        Ok(Self {
            attributes,
            der: write::sequence(&refs),
        })
    }

    /// The subject as a form shows it for review: each field a person knows with its value, in the
    /// form's order; attributes of no such field by their OID.
    pub fn review(&self) -> Vec<(Option<Field>, String, String)> {
        let mut shown: Vec<(Option<Field>, String, String)> = self
            .attributes
            .iter()
            .map(|attribute| {
                (
                    Field::of_oid(&attribute.oid),
                    attribute.name.clone(),
                    crate::text::printable(&attribute.value).into_owned(),
                )
            })
            .collect();
        shown.sort_by_key(|(field, _, _)| {
            field
                .and_then(|field| Field::ALL.iter().position(|known| *known == field))
                .unwrap_or(usize::MAX)
        });
        shown
    }
}

/// A subject Name (DER) as a form shows it for review: each field a person knows with its value, in
/// the form's order, the others by their OID ([`Subject::review`] for a Name read back).
pub fn review_der(der: &[u8]) -> Vec<(Option<Field>, String, String)> {
    use x509_parser::prelude::FromDer;
    let Ok((_, name)) = x509_parser::x509::X509Name::from_der(der) else {
        return Vec::new();
    };
    let attributes = name
        .iter_attributes()
        .map(|attribute| {
            let oid = attribute.attr_type().to_id_string();
            let value = attribute.as_str().map(str::to_owned).unwrap_or_else(|_| {
                String::from_utf8_lossy(attribute.attr_value().data).into_owned()
            });
            let shown = ATTRIBUTES
                .iter()
                .find(|(_, known, _)| *known == oid)
                .map(|(names, _, _)| names[0].to_owned())
                .unwrap_or_else(|| oid.clone());
            Attribute {
                oid,
                name: shown,
                value,
            }
        })
        .collect();
    Subject {
        attributes,
        der: der.to_vec(),
    }
    .review()
}

/// A value as typed: text (escapes resolved) or the BER given in hex after `#`.
enum Value {
    Text(String),
    Ber(Vec<u8>),
}

/// Splits RFC 4514 text into RDNs of (type, value) pairs, in the text's order.
fn split_rdns(text: &str) -> Result<Vec<Vec<(String, Value)>>, SubjectError> {
    let chars: Vec<char> = text.chars().collect();
    let syntax = |at: usize| SubjectError::Syntax { at: at + 1 };
    let mut rdns = Vec::new();
    let mut rdn = Vec::new();
    let mut at = 0;
    let skip_spaces = |at: &mut usize| {
        while chars.get(*at).is_some_and(|c| *c == ' ') {
            *at += 1;
        }
    };
    skip_spaces(&mut at);
    if at == chars.len() {
        return Ok(rdns);
    }
    loop {
        // The type, up to '='.
        skip_spaces(&mut at);
        let start = at;
        while chars
            .get(at)
            .is_some_and(|c| *c != '=' && *c != ',' && *c != '+')
        {
            at += 1;
        }
        if chars.get(at) != Some(&'=') {
            return Err(syntax(at.min(chars.len())));
        }
        let name: String = chars[start..at]
            .iter()
            .collect::<String>()
            .trim()
            .to_owned();
        if name.is_empty() {
            return Err(syntax(start));
        }
        at += 1;
        skip_spaces(&mut at);
        // The value.
        let value = if chars.get(at) == Some(&'#') {
            at += 1;
            let start = at;
            while chars.get(at).is_some_and(char::is_ascii_hexdigit) {
                at += 1;
            }
            let hex: String = chars[start..at].iter().collect();
            Value::Ber(hex_bytes(&hex).ok_or_else(|| syntax(start))?)
        } else {
            let mut bytes = Vec::new();
            let mut quoted = false;
            let mut trailing_spaces = 0;
            if chars.get(at) == Some(&'"') {
                quoted = true;
                at += 1;
            }
            loop {
                match chars.get(at) {
                    None if quoted => return Err(syntax(at)),
                    None => break,
                    Some('"') if quoted => {
                        at += 1;
                        break;
                    }
                    Some(',' | '+') if !quoted => break,
                    Some('\\') => {
                        let next = chars.get(at + 1).ok_or_else(|| syntax(at))?;
                        if next.is_ascii_hexdigit() {
                            let pair: String = chars
                                .get(at + 1..at + 3)
                                .ok_or_else(|| syntax(at))?
                                .iter()
                                .collect();
                            bytes.push(u8::from_str_radix(&pair, 16).map_err(|_| syntax(at))?);
                            at += 3;
                        } else {
                            let mut buffer = [0u8; 4];
                            bytes.extend_from_slice(next.encode_utf8(&mut buffer).as_bytes());
                            at += 2;
                        }
                        trailing_spaces = 0;
                    }
                    Some(c) => {
                        trailing_spaces = if *c == ' ' { trailing_spaces + 1 } else { 0 };
                        let mut buffer = [0u8; 4];
                        bytes.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
                        at += 1;
                    }
                }
            }
            // Unescaped spaces before ',' are not part of the value.
            bytes.truncate(bytes.len() - trailing_spaces);
            Value::Text(String::from_utf8(bytes).map_err(|_| syntax(at))?)
        };
        rdn.push((name, value));
        skip_spaces(&mut at);
        match chars.get(at) {
            None => {
                rdns.push(rdn);
                return Ok(rdns);
            }
            Some('+') => at += 1,
            Some(',' | ';') => {
                rdns.push(std::mem::take(&mut rdn));
                at += 1;
            }
            Some(_) => return Err(syntax(at)),
        }
    }
}

fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    if hex.is_empty() || !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok())
        .collect()
}

/// The DER of one AttributeTypeAndValue, and what it says.
fn attribute(name: &str, value: Value) -> Result<(Attribute, Vec<u8>), SubjectError> {
    let upper = name.to_uppercase();
    let known = ATTRIBUTES
        .iter()
        .find(|(names, oid, _)| names.contains(&upper.as_str()) || *oid == name);
    let (oid, shown, kind) = match known {
        Some((names, oid, kind)) => ((*oid).to_owned(), names[0].to_owned(), *kind),
        None if is_dotted_oid(name) => (name.to_owned(), name.to_owned(), Kind::Utf8),
        None => {
            return Err(SubjectError::UnknownAttribute {
                name: name.to_owned(),
            });
        }
    };
    let (text, encoded_value) = match value {
        Value::Ber(ber) => {
            let tlv = crate::formats::der::Reader::new(&ber)
                .required("attribute value")
                .ok()
                .filter(|tlv| tlv.raw.len() == ber.len())
                .ok_or(SubjectError::Syntax { at: 1 })?;
            (String::from_utf8_lossy(tlv.value).into_owned(), ber.clone())
        }
        Value::Text(text) => {
            if text.trim().is_empty() {
                return Err(SubjectError::EmptyValue { field: shown });
            }
            match kind {
                Kind::Utf8 => (text.clone(), write::tlv(0x0c, text.as_bytes())),
                Kind::Printable => {
                    let upper = text.trim().to_ascii_uppercase();
                    if upper.len() != 2 || !upper.bytes().all(|b| b.is_ascii_uppercase()) {
                        return Err(SubjectError::Country { value: text });
                    }
                    (upper.clone(), write::tlv(0x13, upper.as_bytes()))
                }
                Kind::Ia5 => {
                    let address = text.trim();
                    if !address.is_ascii() || !address.contains('@') || address.contains(' ') {
                        return Err(SubjectError::Email { value: text });
                    }
                    (address.to_owned(), write::tlv(0x16, address.as_bytes()))
                }
                Kind::Numeric(field) => {
                    let digits = check_number(field, &text)?;
                    (digits.clone(), write::tlv(0x12, digits.as_bytes()))
                }
            }
        }
    };
    let der = write::sequence(&[&write::oid(&oid), &encoded_value]);
    Ok((
        Attribute {
            oid,
            name: shown,
            value: text,
        },
        der,
    ))
}

/// Whether `text` is an object identifier in dotted form that DER can carry: at least two arcs,
/// each a number without leading zeros that fits 32 bits, the first 0, 1 or 2 and the second below 40
/// under 0 and 1 (X.690 8.19).
fn is_dotted_oid(text: &str) -> bool {
    let arcs: Option<Vec<u32>> = text
        .split('.')
        .map(|arc| {
            let digits = !arc.is_empty()
                && arc.bytes().all(|byte| byte.is_ascii_digit())
                && (arc.len() == 1 || !arc.starts_with('0'));
            digits.then(|| arc.parse().ok()).flatten()
        })
        .collect();
    match arcs.as_deref() {
        Some([first, second, ..]) => *first <= 2 && (*first == 2 || *second < 40),
        _ => false,
    }
}

/// The digits of a numeric field (spaces and dashes dropped), checked: length and check digits.
pub fn check_number(field: &'static str, text: &str) -> Result<String, SubjectError> {
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SubjectError::NotDigits {
            field,
            value: text.to_owned(),
        });
    }
    let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    let weighted = |weights: &[u32]| -> u32 {
        weights
            .iter()
            .zip(&d)
            .map(|(weight, digit)| weight * digit)
            .sum::<u32>()
            % 11
            % 10
    };
    let length = |expected| SubjectError::Length {
        field,
        expected,
        got: d.len(),
    };
    let good = match field {
        "INN" | "INNLE" if d.len() == 10 => weighted(&[2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[9],
        "INN" if d.len() == 12 => {
            weighted(&[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[10]
                && weighted(&[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[11]
        }
        "INN" => return Err(length("12 (10 for an organisation)")),
        "INNLE" => return Err(length("10")),
        "SNILS" if d.len() == 11 => {
            let sum: u32 = d[..9]
                .iter()
                .enumerate()
                .map(|(at, digit)| digit * (9 - at as u32))
                .sum();
            let check = match sum % 101 {
                100 => 0,
                other => other,
            };
            check == d[9] * 10 + d[10]
        }
        "SNILS" => return Err(length("11")),
        "OGRN" if d.len() == 13 => {
            let number: u64 = digits[..12].parse().unwrap_or(0);
            (number % 11 % 10) as u32 == d[12]
        }
        "OGRN" => return Err(length("13")),
        "OGRNIP" if d.len() == 15 => {
            let number: u64 = digits[..14].parse().unwrap_or(0);
            (number % 13 % 10) as u32 == d[14]
        }
        "OGRNIP" => return Err(length("15")),
        _ => true,
    };
    if good {
        Ok(digits)
    } else {
        Err(SubjectError::CheckDigit {
            field,
            value: text.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qualified_fields_are_numeric_strings_in_the_order_rfc_4514_means() {
        let subject = Subject::parse(
            "CN=Иванов Иван Иванович, SN=Иванов, GN=Иван Иванович, SNILS=112-233-445 95, \
             INN=500100732259, E=ivanov@example.ru, L=Москва, C=ru",
        )
        .expect("subject");
        // The last RDN of the text comes first.
        assert_eq!(subject.attributes[0].name, "C");
        assert_eq!(subject.attributes[0].value, "RU");
        assert_eq!(subject.get("1.2.643.100.3"), Some("11223344595"));
        assert_eq!(subject.get("2.5.4.3"), Some("Иванов Иван Иванович"));
        let der = &subject.der;
        let find = |needle: &[u8]| der.windows(needle.len()).any(|w| w == needle);
        // SNILS and INN as NumericString (tag 0x12), the country as PrintableString, e-mail IA5.
        assert!(find(b"\x12\x0b11223344595"));
        assert!(find(b"\x12\x0c500100732259"));
        assert!(find(b"\x13\x02RU"));
        assert!(find(b"\x16\x11ivanov@example.ru"));
        assert!(find("\x0c\x0cМосква".as_bytes()));
        use x509_parser::prelude::FromDer;
        let (rest, name) =
            x509_parser::x509::X509Name::from_der(der).expect("a Name x509-parser reads");
        assert!(rest.is_empty());
        assert_eq!(name.iter_rdn().count(), 8);
    }

    #[test]
    fn organisation_fields_and_escapes() {
        let subject = Subject::parse(
            r#"CN=ООО \"Ромашка\"\, отдел, O="ООО ""Ромашка""" , INNLE=7707083893, OGRN=1027700132195, OGRNIP=304500116000157, 1.2.3.4=x+T=Бухгалтер"#,
        );
        // A doubled quote inside quotes is not RFC 4514: the text stops at the second quote.
        assert!(matches!(subject, Err(SubjectError::Syntax { .. })));
        let subject = Subject::parse(
            r#"CN=ООО \"Ромашка\"\, отдел, O="ООО Ромашка, филиал", INNLE=7707083893, OGRN=1027700132195, OGRNIP=304500116000157, 1.2.3.4=x+T=Бухгалтер"#,
        )
        .expect("subject");
        assert_eq!(subject.get("2.5.4.3"), Some("ООО \"Ромашка\", отдел"));
        assert_eq!(subject.get("2.5.4.10"), Some("ООО Ромашка, филиал"));
        assert_eq!(subject.get("1.2.643.100.4"), Some("7707083893"));
        assert_eq!(subject.get("1.2.643.100.1"), Some("1027700132195"));
        assert_eq!(subject.get("1.2.643.100.5"), Some("304500116000157"));
        assert_eq!(subject.get("1.2.3.4"), Some("x"));
        assert_eq!(subject.get("2.5.4.12"), Some("Бухгалтер"));
    }

    #[test]
    fn a_form_becomes_a_qualified_subject_and_every_wrong_field_is_named() {
        let mut fields = Fields::default();
        fields.set(Field::FullName, "  Петрова   Анна Сергеевна ");
        fields.set(Field::Snils, "112-233-445 95");
        fields.set(Field::Inn, "500100732259");
        fields.set(Field::Organisation, "ООО «Ромашка»");
        fields.set(Field::Innle, "7707083893");
        fields.set(Field::Ogrn, "1027700132195");
        fields.set(Field::Title, "Главный бухгалтер");
        let subject = Subject::from_fields(&fields).expect("subject");
        assert_eq!(subject.get("2.5.4.3"), Some("Петрова Анна Сергеевна"));
        assert_eq!(subject.get("2.5.4.4"), Some("Петрова"));
        assert_eq!(subject.get("2.5.4.42"), Some("Анна Сергеевна"));
        assert_eq!(subject.get("2.5.4.6"), Some("RU"));
        assert_eq!(subject.get("1.2.643.100.3"), Some("11223344595"));
        // The same subject as the RFC 4514 text in the same order gives the same DER.
        let text = Subject::parse(
            "INNLE=7707083893,INN=500100732259,SNILS=11223344595,CN=Петрова Анна Сергеевна,\
             GN=Анна Сергеевна,SN=Петрова,T=Главный бухгалтер,O=ООО «Ромашка»,C=RU",
        )
        .expect("text");
        let text_with_ogrn = Subject::parse(
            "OGRN=1027700132195,INNLE=7707083893,INN=500100732259,SNILS=11223344595,\
             CN=Петрова Анна Сергеевна,GN=Анна Сергеевна,SN=Петрова,T=Главный бухгалтер,\
             O=ООО «Ромашка»,C=RU",
        )
        .expect("text");
        assert_ne!(text.der, subject.der);
        assert_eq!(text_with_ogrn.der, subject.der);
        let review = subject.review();
        assert_eq!(review[0].0, Some(Field::FullName));
        assert_eq!(review[3].0, Some(Field::Snils));
        assert_eq!(review_der(&subject.der), review);

        // Everything wrong at once: each field named, in the form's order.
        let mut wrong = Fields::default();
        wrong.set(Field::Inn, "500100732258");
        wrong.set(Field::Organisation, "ООО");
        wrong.set(Field::Ogrn, "123");
        wrong.set(Field::Email, "не почта");
        let errors = Subject::from_fields(&wrong).expect_err("wrong");
        let named: Vec<(Field, &SubjectError)> = errors
            .iter()
            .map(|error| (error.field, &error.problem))
            .collect();
        assert_eq!(
            named,
            [
                (
                    Field::FullName,
                    &SubjectError::Missing { field: "full_name" }
                ),
                (Field::Snils, &SubjectError::Missing { field: "snils" }),
                (
                    Field::Inn,
                    &SubjectError::CheckDigit {
                        field: "INN",
                        value: "500100732258".into()
                    }
                ),
                (Field::Innle, &SubjectError::Missing { field: "innle" }),
                (
                    Field::Ogrn,
                    &SubjectError::Length {
                        field: "OGRN",
                        expected: "13",
                        got: 3
                    }
                ),
                (
                    Field::Email,
                    &SubjectError::Email {
                        value: "не почта".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn mistakes_say_what_is_wrong() {
        for (text, expected) in [
            ("", SubjectError::Empty),
            ("   ", SubjectError::Empty),
            (
                "INN=500100732258",
                SubjectError::CheckDigit {
                    field: "INN",
                    value: "500100732258".into(),
                },
            ),
            (
                "SNILS=11223344596",
                SubjectError::CheckDigit {
                    field: "SNILS",
                    value: "11223344596".into(),
                },
            ),
            (
                "OGRN=1027700132194",
                SubjectError::CheckDigit {
                    field: "OGRN",
                    value: "1027700132194".into(),
                },
            ),
            (
                "INNLE=500100732259",
                SubjectError::Length {
                    field: "INNLE",
                    expected: "10",
                    got: 12,
                },
            ),
            (
                "SNILS=1122334459x",
                SubjectError::NotDigits {
                    field: "SNILS",
                    value: "1122334459x".into(),
                },
            ),
            (
                "C=RUS",
                SubjectError::Country {
                    value: "RUS".into(),
                },
            ),
            (
                "E=иван@пример.рф",
                SubjectError::Email {
                    value: "иван@пример.рф".into(),
                },
            ),
            ("XX=1", SubjectError::UnknownAttribute { name: "XX".into() }),
            // Dotted OIDs DER cannot carry (found by fuzzing: a 90-digit arc).
            (
                "3.4.16.84088855555555555555555555555590=x",
                SubjectError::UnknownAttribute {
                    name: "3.4.16.84088855555555555555555555555590".into(),
                },
            ),
            (
                "1.2.84088855555555555555555555555590=x",
                SubjectError::UnknownAttribute {
                    name: "1.2.84088855555555555555555555555590".into(),
                },
            ),
            (
                "1.40=x",
                SubjectError::UnknownAttribute {
                    name: "1.40".into(),
                },
            ),
            (
                "1.02.3=x",
                SubjectError::UnknownAttribute {
                    name: "1.02.3".into(),
                },
            ),
            ("CN=", SubjectError::EmptyValue { field: "CN".into() }),
            ("CN", SubjectError::Syntax { at: 3 }),
            ("=x", SubjectError::Syntax { at: 1 }),
            ("CN=\"open", SubjectError::Syntax { at: 9 }),
            ("CN=a\\", SubjectError::Syntax { at: 5 }),
        ] {
            assert_eq!(Subject::parse(text), Err(expected), "{text}");
        }
        // Every prefix of a good subject is an answer, never a panic.
        let good = r#"CN=Иван\2C \"И\",SNILS=112-233-445 95+INN=500100732259,1.2.3=#0c0178"#;
        assert!(Subject::parse(good).is_ok());
        for (at, _) in good.char_indices() {
            let _ = Subject::parse(&good[..at]);
        }
    }
}
