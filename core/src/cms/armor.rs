//! Documents in text form: PEM (`-----BEGIN CMS-----` / `PKCS7`) and S/MIME (`.p7m`, MIME headers then
//! a base64 body), decoded as they stream, so a large document never sits in memory.

use std::io::{BufRead, BufReader, Read};

/// The form a document came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Binary DER or BER.
    Binary,
    /// PEM.
    Pem,
    /// S/MIME (MIME entity with a base64 body).
    Smime,
}

/// Looks at the first bytes of `reader` and returns a reader of the binary document inside.
pub fn unwrap<R: Read + 'static>(reader: R) -> std::io::Result<(Form, Box<dyn Read>)> {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let start = reader.fill_buf()?;
    let text = start.trim_ascii_start();
    if text.first() == Some(&0x30) || start.is_empty() {
        return Ok((Form::Binary, Box::new(reader)));
    }
    if text.starts_with(b"-----BEGIN ") {
        return Ok((Form::Pem, Box::new(Base64Lines::new(reader, Form::Pem))));
    }
    let lower: Vec<u8> = text.iter().take(512).map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"mime-version:") || lower.starts_with(b"content-") {
        return Ok((Form::Smime, Box::new(Base64Lines::new(reader, Form::Smime))));
    }
    Ok((Form::Binary, Box::new(reader)))
}

/// Decodes base64 line by line: PEM between its BEGIN and END lines, or S/MIME after its headers.
struct Base64Lines<R: BufRead> {
    inner: R,
    started: bool,
    finished: bool,
    form: Form,
    decoded: Vec<u8>,
    position: usize,
    quad: Vec<u8>,
}

impl<R: BufRead> Base64Lines<R> {
    fn new(inner: R, form: Form) -> Self {
        Self {
            inner,
            started: false,
            finished: false,
            form,
            decoded: Vec::new(),
            position: 0,
            quad: Vec::with_capacity(4),
        }
    }

    fn bad(reason: &str) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidData, reason.to_owned())
    }

    /// Decodes the next line into `decoded`; false at the end.
    fn next_line(&mut self) -> std::io::Result<bool> {
        let mut line = Vec::new();
        loop {
            line.clear();
            if self.finished || self.inner.read_until(b'\n', &mut line)? == 0 {
                return Ok(false);
            }
            let trimmed = line.trim_ascii();
            if !self.started {
                self.started = match self.form {
                    Form::Pem => trimmed.starts_with(b"-----BEGIN "),
                    // The body starts after the blank line that ends the headers.
                    _ => trimmed.is_empty(),
                };
                continue;
            }
            if trimmed.starts_with(b"-----END ")
                || (self.form == Form::Smime && trimmed.starts_with(b"--"))
            {
                self.finished = true;
                return Ok(false);
            }
            // PEM headers (Proc-Type and the like) have a colon; base64 never does.
            if trimmed.is_empty() || trimmed.contains(&b':') {
                continue;
            }
            self.decoded.clear();
            self.position = 0;
            for &byte in trimmed {
                let value = match byte {
                    b'A'..=b'Z' => byte - b'A',
                    b'a'..=b'z' => byte - b'a' + 26,
                    b'0'..=b'9' => byte - b'0' + 52,
                    b'+' => 62,
                    b'/' => 63,
                    b'=' => 64,
                    b' ' | b'\t' | b'\r' => continue,
                    _ => return Err(Self::bad("not base64")),
                };
                self.quad.push(value);
                if self.quad.len() == 4 {
                    let q = &self.quad;
                    if q[0] == 64 || q[1] == 64 {
                        return Err(Self::bad("misplaced base64 padding"));
                    }
                    self.decoded.push(q[0] << 2 | q[1] >> 4);
                    if q[2] != 64 {
                        self.decoded.push(q[1] << 4 | q[2] >> 2);
                        if q[3] != 64 {
                            self.decoded.push(q[2] << 6 | q[3]);
                        }
                    }
                    self.quad.clear();
                }
            }
            if !self.decoded.is_empty() {
                return Ok(true);
            }
        }
    }
}

impl<R: BufRead> Read for Base64Lines<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        while self.position == self.decoded.len() {
            if !self.next_line()? {
                return Ok(0);
            }
        }
        let take = buffer.len().min(self.decoded.len() - self.position);
        buffer[..take].copy_from_slice(&self.decoded[self.position..self.position + take]);
        self.position += take;
        Ok(take)
    }
}
