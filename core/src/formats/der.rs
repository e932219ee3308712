//! A small, strict reader of DER (ITU-T X.690) for the structures certkeeper walks by hand: CryptoPro
//! container files and the GOST parts of certificates. Every length is checked against the data that
//! is really there; nothing here can read out of bounds or recurse without limit.

use crate::error::FormatError;

/// One element: its tag byte, its contents and where it starts in the outermost input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The identifier octet (class, constructed bit and tag number below 31).
    pub tag: u8,
    /// The contents octets.
    pub value: &'a [u8],
    /// Offset of the identifier octet from the start of the outermost input.
    pub offset: usize,
    /// The whole element: identifier, length and contents octets.
    pub raw: &'a [u8],
    /// Length of the identifier and length octets.
    header_len: usize,
}

/// Tag bytes used here.
pub mod tag {
    /// INTEGER.
    pub const INTEGER: u8 = 0x02;
    /// BIT STRING.
    pub const BIT_STRING: u8 = 0x03;
    /// OCTET STRING.
    pub const OCTET_STRING: u8 = 0x04;
    /// OBJECT IDENTIFIER.
    pub const OID: u8 = 0x06;
    /// IA5String.
    pub const IA5_STRING: u8 = 0x16;
    /// SEQUENCE.
    pub const SEQUENCE: u8 = 0x30;
}

impl<'a> Tlv<'a> {
    /// Whether the element is constructed (holds other elements).
    pub fn is_constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }

    /// A reader over the contents of a constructed element.
    pub fn children(&self) -> Reader<'a> {
        Reader {
            data: self.value,
            position: 0,
            base: self.offset + self.header_len,
        }
    }

    /// The element's contents when it has the expected tag.
    pub fn expect(self, tag: u8, what: &'static str) -> Result<&'a [u8], FormatError> {
        if self.tag == tag {
            Ok(self.value)
        } else {
            Err(FormatError::Der {
                what,
                offset: self.offset,
                reason: "unexpected tag",
            })
        }
    }
}

/// Reads the elements of one level, one after the other.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    position: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader over a whole DER input.
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            position: 0,
            base: 0,
        }
    }

    /// Whether every element has been read.
    pub fn is_empty(&self) -> bool {
        self.position >= self.data.len()
    }

    /// The next element; `None` at the end.
    pub fn next_tlv(&mut self, what: &'static str) -> Result<Option<Tlv<'a>>, FormatError> {
        if self.is_empty() {
            return Ok(None);
        }
        let start = self.position;
        let error = |reason| FormatError::Der {
            what,
            offset: self.base + start,
            reason,
        };
        let rest = &self.data[start..];
        let tag = rest[0];
        if tag & 0x1f == 0x1f {
            return Err(error("high tag numbers are not used in these structures"));
        }
        let first = *rest
            .get(1)
            .ok_or_else(|| error("truncated before the length"))?;
        let (len, header) = if first < 0x80 {
            (first as usize, 2)
        } else {
            let count = (first & 0x7f) as usize;
            if count == 0 {
                return Err(error("indefinite length is not DER"));
            }
            if count > 4 {
                return Err(error("length too large"));
            }
            let bytes = rest
                .get(2..2 + count)
                .ok_or_else(|| error("truncated inside the length"))?;
            let len = bytes
                .iter()
                .fold(0usize, |acc, byte| (acc << 8) | *byte as usize);
            (len, 2 + count)
        };
        let value = rest
            .get(
                header
                    ..header
                        .checked_add(len)
                        .ok_or_else(|| error("length overflows"))?,
            )
            .ok_or_else(|| error("truncated: the length goes past the end of the data"))?;
        self.position = start + header + len;
        Ok(Some(Tlv {
            tag,
            value,
            offset: self.base + start,
            raw: &rest[..header + len],
            header_len: header,
        }))
    }

    /// The next element, which must be there.
    pub fn required(&mut self, what: &'static str) -> Result<Tlv<'a>, FormatError> {
        let offset = self.base + self.position;
        self.next_tlv(what)?.ok_or(FormatError::Der {
            what,
            offset,
            reason: "missing element",
        })
    }
}

/// The dotted form of an OBJECT IDENTIFIER's contents.
pub fn oid_to_string(contents: &[u8]) -> Option<String> {
    let (first, rest) = contents.split_first()?;
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    let mut started = false;
    for byte in std::iter::once(first).chain(rest) {
        if !started && *byte == 0x80 {
            return None; // non-minimal encoding
        }
        value = value.checked_mul(128)? | u64::from(byte & 0x7f);
        started = true;
        if byte & 0x80 == 0 {
            arcs.push(value);
            value = 0;
            started = false;
        }
    }
    if started {
        return None; // the last arc is unfinished
    }
    let head = arcs.first().copied()?;
    let (a, b) = match head {
        0..=39 => (0, head),
        40..=79 => (1, head - 40),
        _ => (2, head - 80),
    };
    let mut text = format!("{a}.{b}");
    for arc in &arcs[1..] {
        text.push('.');
        text.push_str(&arc.to_string());
    }
    Some(text)
}

/// Calls `visit` for every element of `data`, depth first, down to `max_depth` levels.
pub fn walk<'a>(
    data: &'a [u8],
    max_depth: usize,
    visit: &mut dyn FnMut(&Tlv<'a>, usize),
) -> Result<(), FormatError> {
    fn go<'a>(
        mut reader: Reader<'a>,
        depth: usize,
        max_depth: usize,
        visit: &mut dyn FnMut(&Tlv<'a>, usize),
    ) -> Result<(), FormatError> {
        while let Some(tlv) = reader.next_tlv("element")? {
            visit(&tlv, depth);
            if tlv.is_constructed() && depth < max_depth {
                go(tlv.children(), depth + 1, max_depth, visit)?;
            }
        }
        Ok(())
    }
    go(Reader::new(data), 0, max_depth, visit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_elements_and_oids() {
        // SEQUENCE { OID 1.2.643.7.1.1.2.2, OCTET STRING 01 02 }
        let data = [
            0x30, 0x0e, 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02, 0x04, 0x02,
            0x01, 0x02,
        ];
        let mut reader = Reader::new(&data);
        let sequence = reader.required("sequence").expect("element");
        assert!(reader.is_empty());
        let mut children = sequence.children();
        let oid = children
            .required("oid")
            .expect("oid")
            .expect(tag::OID, "oid")
            .expect("tag");
        assert_eq!(oid_to_string(oid).as_deref(), Some("1.2.643.7.1.1.2.2"));
        let octets = children.required("octets").expect("octets");
        assert_eq!(octets.value, [1, 2]);
        assert_eq!(octets.offset, 12);
    }

    #[test]
    fn broken_input_is_a_typed_error() {
        for (data, reason) in [
            (
                &[0x30, 0x05, 0x04][..],
                "truncated: the length goes past the end of the data",
            ),
            (&[0x30][..], "truncated before the length"),
            (
                &[0x30, 0x80, 0x00, 0x00][..],
                "indefinite length is not DER",
            ),
            (&[0x30, 0x85, 1, 1, 1, 1, 1][..], "length too large"),
            (&[0x30, 0x82, 0x01][..], "truncated inside the length"),
            (
                &[0x1f, 0x01, 0x00][..],
                "high tag numbers are not used in these structures",
            ),
        ] {
            let error = Reader::new(data).next_tlv("test").expect_err("broken");
            assert!(
                matches!(error, FormatError::Der { reason: r, .. } if r == reason),
                "{error:?}"
            );
        }
        assert_eq!(oid_to_string(&[]), None);
        assert_eq!(oid_to_string(&[0x2a, 0x85]), None);
    }
}

/// Building DER, for the structures certkeeper writes (PKCS#8, PKCS#12).
pub mod write {
    /// An element with `tag` around `contents`.
    pub fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(contents.len() + 6);
        out.push(tag);
        let len = contents.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|byte| **byte == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
        out.extend_from_slice(contents);
        out
    }

    /// SEQUENCE of already encoded elements.
    pub fn sequence(parts: &[&[u8]]) -> Vec<u8> {
        tlv(super::tag::SEQUENCE, &parts.concat())
    }

    /// SET of already encoded elements (in the order given; callers pass one element or sorted ones).
    pub fn set(parts: &[&[u8]]) -> Vec<u8> {
        tlv(0x31, &parts.concat())
    }

    /// OCTET STRING.
    pub fn octets(contents: &[u8]) -> Vec<u8> {
        tlv(super::tag::OCTET_STRING, contents)
    }

    /// A non-negative INTEGER.
    pub fn integer(value: u64) -> Vec<u8> {
        let bytes = value.to_be_bytes();
        let skip = bytes.iter().take_while(|byte| **byte == 0).count().min(7);
        let mut contents = bytes[skip..].to_vec();
        if contents[0] & 0x80 != 0 {
            contents.insert(0, 0);
        }
        tlv(super::tag::INTEGER, &contents)
    }

    /// NULL.
    pub fn null() -> Vec<u8> {
        vec![0x05, 0x00]
    }

    /// OBJECT IDENTIFIER from its dotted form (a constant of this crate).
    pub fn oid(dotted: &str) -> Vec<u8> {
        let arcs: Vec<u64> = dotted
            .split('.')
            .map(|arc| arc.parse().expect("numeric arc"))
            .collect();
        let mut contents = Vec::new();
        let mut push = |mut value: u64| {
            let mut chunk = vec![(value & 0x7f) as u8];
            value >>= 7;
            while value > 0 {
                chunk.push(0x80 | (value & 0x7f) as u8);
                value >>= 7;
            }
            chunk.reverse();
            contents.extend(chunk);
        };
        push(arcs[0] * 40 + arcs[1]);
        for arc in &arcs[2..] {
            push(*arc);
        }
        tlv(super::tag::OID, &contents)
    }

    /// A context-specific constructed element `[n]`.
    pub fn explicit(number: u8, contents: &[u8]) -> Vec<u8> {
        tlv(0xa0 | number, contents)
    }
}

#[cfg(test)]
mod write_tests {
    use super::*;

    #[test]
    fn written_elements_read_back() {
        let encoded = write::sequence(&[
            &write::oid("1.2.643.7.1.1.2.3"),
            &write::integer(2048),
            &write::integer(128),
            &write::octets(&[7; 300]),
        ]);
        let outer = Reader::new(&encoded).required("test").expect("sequence");
        let mut fields = outer.children();
        assert_eq!(
            oid_to_string(fields.required("oid").expect("oid").value).as_deref(),
            Some("1.2.643.7.1.1.2.3")
        );
        assert_eq!(fields.required("int").expect("int").value, [0x08, 0x00]);
        assert_eq!(fields.required("int").expect("int").value, [0x00, 0x80]);
        assert_eq!(fields.required("octets").expect("octets").value.len(), 300);
    }
}
