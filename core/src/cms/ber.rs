//! A streaming reader of BER (ITU-T X.690) for CMS documents of any size: the small parts (recipient
//! infos, algorithm identifiers, trailing attributes) are read whole and handed over as DER, the
//! encrypted content is read piece by piece, whether it is one primitive OCTET STRING (DER) or a
//! constructed one of many segments with indefinite lengths (what `openssl cms -stream` writes).

use std::io::Read;

use super::CmsError;

/// Elements read whole may not be larger than this (a recipient info with a certificate chain stays
/// far below); the encrypted content is never read whole.
pub const MAX_ELEMENT: u64 = 4 << 20;
/// Nesting deeper than this is refused (CMS needs fewer than ten levels).
const MAX_DEPTH: usize = 32;

/// An identifier and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The identifier octet (low tag numbers only; CMS uses no others).
    pub tag: u8,
    /// The length, or `None` for the indefinite form.
    pub len: Option<u64>,
    /// Length of the identifier and length octets.
    pub header_len: u64,
}

impl Header {
    /// Whether the element is constructed.
    pub fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }

    /// Whether this is an end-of-contents marker.
    pub fn is_end_of_contents(&self) -> bool {
        self.tag == 0 && self.len == Some(0)
    }
}

/// Reads BER from a byte stream, counting the offset for error messages.
pub struct Ber<R: Read> {
    inner: R,
    offset: u64,
    peeked: Option<u8>,
}

impl<R: Read> Ber<R> {
    /// A reader at the start of `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            offset: 0,
            peeked: None,
        }
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    fn bad(&self, reason: &'static str) -> CmsError {
        CmsError::Malformed {
            offset: self.offset,
            reason,
        }
    }

    fn byte(&mut self) -> Result<u8, CmsError> {
        if let Some(byte) = self.peeked.take() {
            self.offset += 1;
            return Ok(byte);
        }
        let mut byte = [0u8; 1];
        match self.inner.read_exact(&mut byte) {
            Ok(()) => {
                self.offset += 1;
                Ok(byte[0])
            }
            Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => {
                Err(self.bad("the document ends too early (truncated)"))
            }
            Err(error) => Err(CmsError::Read(error)),
        }
    }

    /// Whether the stream has ended (nothing more to read).
    pub fn at_end(&mut self) -> Result<bool, CmsError> {
        if self.peeked.is_some() {
            return Ok(false);
        }
        let mut byte = [0u8; 1];
        loop {
            match self.inner.read(&mut byte) {
                Ok(0) => return Ok(true),
                Ok(_) => {
                    self.peeked = Some(byte[0]);
                    return Ok(false);
                }
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(CmsError::Read(error)),
            }
        }
    }

    /// Reads exactly `buffer.len()` bytes.
    pub fn read_exact(&mut self, buffer: &mut [u8]) -> Result<(), CmsError> {
        let mut start = 0;
        if let (Some(byte), Some(first)) = (self.peeked, buffer.first_mut()) {
            *first = byte;
            self.peeked = None;
            start = 1;
        }
        match self.inner.read_exact(&mut buffer[start..]) {
            Ok(()) => {
                self.offset += buffer.len() as u64;
                Ok(())
            }
            Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => {
                Err(self.bad("the document ends too early (truncated)"))
            }
            Err(error) => Err(CmsError::Read(error)),
        }
    }

    /// The next identifier and length.
    pub fn header(&mut self) -> Result<Header, CmsError> {
        let start = self.offset;
        let tag = self.byte()?;
        if tag & 0x1f == 0x1f {
            return Err(self.bad("high tag numbers do not occur in CMS"));
        }
        let first = self.byte()?;
        let len = if first < 0x80 {
            Some(u64::from(first))
        } else if first == 0x80 {
            if tag & 0x20 == 0 {
                return Err(self.bad("indefinite length on a primitive element"));
            }
            None
        } else {
            let count = usize::from(first & 0x7f);
            if count > 8 {
                return Err(self.bad("length too large"));
            }
            let mut len = 0u64;
            for _ in 0..count {
                len = (len << 8) | u64::from(self.byte()?);
            }
            Some(len)
        };
        Ok(Header {
            tag,
            len,
            header_len: self.offset - start,
        })
    }

    /// A header that must have `tag`.
    pub fn expect(&mut self, tag: u8, what: &'static str) -> Result<Header, CmsError> {
        let header = self.header()?;
        if header.tag != tag {
            return Err(CmsError::Malformed {
                offset: self.offset - header.header_len,
                reason: what,
            });
        }
        Ok(header)
    }

    /// Skips or checks the end of an indefinite-length element.
    pub fn end_of_contents(&mut self) -> Result<(), CmsError> {
        let header = self.header()?;
        if header.is_end_of_contents() {
            Ok(())
        } else {
            Err(self.bad("end-of-contents marker expected"))
        }
    }

    /// The rest of an element whose header was read, as DER (identifier, definite length,
    /// contents; indefinite lengths inside are made definite), at most [`MAX_ELEMENT`] bytes.
    pub fn element_der(&mut self, header: Header) -> Result<Vec<u8>, CmsError> {
        let contents = self.contents_der(header, 0)?;
        Ok(encode(header.tag, &contents))
    }

    fn contents_der(&mut self, header: Header, depth: usize) -> Result<Vec<u8>, CmsError> {
        if depth > MAX_DEPTH {
            return Err(self.bad("nested too deep"));
        }
        match header.len {
            Some(len) if len > MAX_ELEMENT => Err(self.bad("element too large")),
            Some(len) if !header.constructed() => {
                let mut contents = vec![0u8; len as usize];
                self.read_exact(&mut contents)?;
                Ok(contents)
            }
            Some(len) => {
                // Children may themselves use indefinite lengths: each is normalised.
                let end = self.offset + len;
                let mut contents = Vec::new();
                while self.offset < end {
                    let child = self.header()?;
                    let inner = self.contents_der(child, depth + 1)?;
                    contents.extend_from_slice(&encode(child.tag, &inner));
                    if contents.len() as u64 > MAX_ELEMENT {
                        return Err(self.bad("element too large"));
                    }
                }
                if self.offset != end {
                    return Err(self.bad("an element runs past its parent"));
                }
                Ok(contents)
            }
            None => {
                let mut contents = Vec::new();
                loop {
                    let child = self.header()?;
                    if child.is_end_of_contents() {
                        return Ok(contents);
                    }
                    let inner = self.contents_der(child, depth + 1)?;
                    contents.extend_from_slice(&encode(child.tag, &inner));
                    if contents.len() as u64 > MAX_ELEMENT {
                        return Err(self.bad("element too large"));
                    }
                }
            }
        }
    }
}

/// identifier ‖ definite length ‖ contents.
pub fn encode(tag: u8, contents: &[u8]) -> Vec<u8> {
    crate::formats::der::write::tlv(tag, contents)
}

/// The encrypted content, segment by segment: a primitive `[0]` of known length, or a constructed one
/// holding OCTET STRING segments (themselves possibly constructed), definite or indefinite.
pub struct Segments {
    /// Open levels: remaining length (None = indefinite) of each constructed string.
    stack: Vec<Option<u64>>,
    /// Bytes left in the primitive segment being read.
    left: u64,
    done: bool,
}

impl Segments {
    /// Starts after the header of the content element.
    pub fn new<R: Read>(ber: &mut Ber<R>, header: Header) -> Result<Self, CmsError> {
        if header.constructed() {
            Ok(Self {
                stack: vec![header.len.map(|len| ber.offset() + len)],
                left: 0,
                done: false,
            })
        } else {
            Ok(Self {
                stack: Vec::new(),
                left: header.len.unwrap_or(0),
                done: header.len == Some(0),
            })
        }
    }

    /// Reads up to `buffer.len()` content bytes; 0 when the content is over.
    pub fn read<R: Read>(
        &mut self,
        ber: &mut Ber<R>,
        buffer: &mut [u8],
    ) -> Result<usize, CmsError> {
        loop {
            if self.done || buffer.is_empty() {
                return Ok(0);
            }
            if self.left > 0 {
                let take = (buffer.len() as u64).min(self.left) as usize;
                ber.read_exact(&mut buffer[..take])?;
                self.left -= take as u64;
                if self.left == 0 && self.stack.is_empty() {
                    self.done = true;
                }
                return Ok(take);
            }
            // Between segments: close finished definite levels, then read the next header.
            while let Some(Some(end)) = self.stack.last() {
                if ber.offset() < *end {
                    break;
                }
                if ber.offset() > *end {
                    return Err(ber.bad("a content segment runs past its parent"));
                }
                self.stack.pop();
            }
            if self.stack.is_empty() {
                self.done = true;
                return Ok(0);
            }
            if self.stack.len() > MAX_DEPTH {
                return Err(ber.bad("nested too deep"));
            }
            let header = ber.header()?;
            if header.is_end_of_contents() {
                match self.stack.pop() {
                    Some(None) => continue,
                    _ => return Err(ber.bad("unexpected end-of-contents marker")),
                }
            }
            match header.tag {
                0x04 => self.left = header.len.unwrap_or(0),
                0x24 => self.stack.push(header.len.map(|len| ber.offset() + len)),
                _ => return Err(ber.bad("the encrypted content holds something other than octets")),
            }
        }
    }
}
