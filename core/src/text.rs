//! Text from files, made safe to show: a certificate's names, a container's name or a file name on a
//! drive can hold control characters (ESC, BEL, CR) that rewrite what a terminal shows, or Unicode's
//! direction overrides that reorder what a window shows. They are shown as visible escapes instead:
//! `\x1B`, `\u{202E}`.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;

/// Whether `c` must not reach a terminal or a window as it is. With `keep_lines`, line feeds and
/// tabs pass (certkeeper's own output is made of lines).
fn hidden(c: char, keep_lines: bool) -> bool {
    match c {
        '\n' | '\t' => !keep_lines,
        // C0 controls and DEL, C1 controls (CSI U+009B starts terminal sequences as ESC [ does).
        '\0'..='\x1F' | '\x7F'..='\u{9F}' => true,
        // Direction marks, embeddings, overrides and isolates; line and paragraph separators.
        '\u{061C}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' => true,
        '\u{2028}' | '\u{2029}' => true,
        _ => false,
    }
}

fn escape(out: &mut String, c: char) {
    let code = u32::from(c);
    if code <= 0xFF {
        let _ = write!(out, "\\x{code:02X}");
    } else {
        let _ = write!(out, "\\u{{{code:X}}}");
    }
}

fn escaped(text: &str, keep_lines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| hidden(c, keep_lines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c, keep_lines) {
            escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of text from a file, safe to show: every control character (line breaks included) and
/// direction override is written as an escape.
pub fn printable(text: &str) -> Cow<'_, str> {
    escaped(text, false)
}

/// Text of several lines from a file or about one (a details panel, an error naming a file), safe
/// to show: lines and tabs stay, every other control character and direction override is escaped.
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    escaped(text, true)
}

/// A writer to a terminal that lets certkeeper's own lines and tabs through and escapes every other
/// control character and direction override, whatever part of the output it came from (a name, a
/// path, an error). Bytes that are not UTF-8 are shown as `\xNN`.
pub struct Escaping<W: Write> {
    inner: W,
    /// The start of a character split between two writes.
    pending: Vec<u8>,
}

impl<W: Write> Escaping<W> {
    /// Escapes what is written to `inner`.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            pending: Vec::new(),
        }
    }

    /// The writer underneath, for output that is escaped already (JSON).
    pub fn raw(&mut self) -> &mut W {
        &mut self.inner
    }

    fn emit(&mut self, final_part: bool) -> std::io::Result<()> {
        let mut text = String::new();
        let mut rest: &[u8] = &self.pending;
        loop {
            match std::str::from_utf8(rest) {
                Ok(valid) => {
                    text.push_str(&escaped(valid, true));
                    rest = &[];
                    break;
                }
                Err(error) => {
                    let (valid, after) = rest.split_at(error.valid_up_to());
                    // Checked as UTF-8 just above.
                    text.push_str(&escaped(
                        std::str::from_utf8(valid).unwrap_or_default(),
                        true,
                    ));
                    match error.error_len() {
                        Some(bad) => {
                            for byte in &after[..bad] {
                                let _ = write!(text, "\\x{byte:02X}");
                            }
                            rest = &after[bad..];
                        }
                        None if final_part => {
                            for byte in after {
                                let _ = write!(text, "\\x{byte:02X}");
                            }
                            rest = &[];
                            break;
                        }
                        None => {
                            rest = after;
                            break;
                        }
                    }
                }
            }
        }
        let keep = rest.to_vec();
        self.pending = keep;
        self.inner.write_all(text.as_bytes())
    }
}

impl<W: Write> Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        self.emit(false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.emit(true)?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Escaping<W> {
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            let _ = self.emit(true);
        }
        let _ = self.inner.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_overrides_are_shown_as_escapes() {
        assert_eq!(printable("Иванов Иван"), "Иванов Иван");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
        assert_eq!(
            printable("ООО \u{1b}[2J\u{7}Ромашка\r\n"),
            "ООО \\x1B[2J\\x07Ромашка\\x0D\\x0A"
        );
        assert_eq!(printable("abc\u{202E}gpj.exe"), "abc\\u{202E}gpj.exe");
        assert_eq!(printable("\u{9b}31m"), "\\x9B31m");
    }

    #[test]
    fn the_terminal_writer_keeps_lines_and_escapes_the_rest_across_writes() {
        let mut out = Escaping::new(Vec::new());
        out.write_all(b"name:\t\x1b]0;pwned\x07\n").expect("write");
        // "Ж" (D0 96) and U+202E (E2 80 AE) split between writes; then a byte that is not UTF-8.
        out.write_all(b"\xD0").expect("write");
        out.write_all(b"\x96 \xE2\x80").expect("write");
        out.write_all(b"\xAE \xFF end\n").expect("write");
        out.flush().expect("flush");
        assert_eq!(
            String::from_utf8(out.raw().clone()).expect("utf-8"),
            "name:\t\\x1B]0;pwned\\x07\nЖ \\u{202E} \\xFF end\n"
        );
    }
}
