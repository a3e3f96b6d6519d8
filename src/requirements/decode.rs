//! Turning the bytes of a requirements file into text the way pip does: byte-order marks
//! (UTF-8/16/32), then a PEP 263 coding comment in the first two lines, then UTF-8.

use std::borrow::Cow;

/// Why a file could not be decoded; the caller adds the file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// 1-based line of the first offending byte, when known.
    pub line: usize,
    pub message: String,
}

/// Decodes requirements-file bytes to text.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    // UTF-32 marks first: UTF-32LE's mark begins with UTF-16LE's.
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE, 0x00, 0x00]) {
        return utf32(rest, u32::from_le_bytes).map(Cow::Owned);
    }
    if let Some(rest) = bytes.strip_prefix(&[0x00, 0x00, 0xFE, 0xFF]) {
        return utf32(rest, u32::from_be_bytes).map(Cow::Owned);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes).map(Cow::Owned);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes).map(Cow::Owned);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest);
    }
    match declared_coding(bytes) {
        None => utf8(bytes),
        Some(coding) => match coding.as_str() {
            "utf-8" | "utf8" | "utf_8" | "ascii" | "us-ascii" => utf8(bytes),
            "latin-1" | "latin1" | "latin_1" | "iso-8859-1" | "iso8859-1" | "iso_8859_1" | "l1"
            | "cp819" => Ok(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())),
            other => Err(DecodeError {
                line: 1,
                message: format!(
                    "unsupported encoding '{other}' declared in a coding comment; save the file as UTF-8"
                ),
            }),
        },
    }
}

fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        DecodeError {
            line,
            message: "not valid UTF-8; save the file as UTF-8 or declare its encoding with a \
                      '# -*- coding: latin-1 -*-' comment"
                .to_string(),
        }
    })
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, DecodeError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(DecodeError {
            line: 1,
            message: "UTF-16 file has an odd number of bytes".to_string(),
        });
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut text = String::with_capacity(bytes.len() / 2);
    for decoded in char::decode_utf16(units) {
        match decoded {
            Ok(c) => text.push(c),
            Err(_) => {
                return Err(DecodeError {
                    line: 1 + text.matches('\n').count(),
                    message: "invalid UTF-16 (unpaired surrogate)".to_string(),
                });
            }
        }
    }
    Ok(text)
}

fn utf32(bytes: &[u8], unit: fn([u8; 4]) -> u32) -> Result<String, DecodeError> {
    if !bytes.len().is_multiple_of(4) {
        return Err(DecodeError {
            line: 1,
            message: "UTF-32 file has a length that is not a multiple of 4".to_string(),
        });
    }
    let mut text = String::with_capacity(bytes.len() / 4);
    for c in bytes.chunks_exact(4) {
        match char::from_u32(unit([c[0], c[1], c[2], c[3]])) {
            Some(c) => text.push(c),
            None => {
                return Err(DecodeError {
                    line: 1 + text.matches('\n').count(),
                    message: "invalid UTF-32 code point".to_string(),
                });
            }
        }
    }
    Ok(text)
}

/// The encoding named by a PEP 263 comment (`coding[:=]\s*([-\w.]+)`) in a comment on one of
/// the first two lines, lowercased.
fn declared_coding(bytes: &[u8]) -> Option<String> {
    for line in bytes.split(|&b| b == b'\n').take(2) {
        let line = String::from_utf8_lossy(line);
        let trimmed = line.trim_start();
        if !trimmed.starts_with('#') {
            continue;
        }
        let Some(at) = trimmed.find("coding") else {
            continue;
        };
        let rest = &trimmed[at + "coding".len()..];
        let Some(rest) = rest.strip_prefix([':', '=']) else {
            continue;
        };
        let name: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        if !name.is_empty() {
            return Some(name.to_ascii_lowercase());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le_with_bom(text: &str) -> Vec<u8> {
        let mut out = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            out.extend_from_slice(&unit.to_le_bytes());
        }
        out
    }

    #[test]
    fn plain_utf8() {
        assert_eq!(decode(b"flask\n").unwrap(), "flask\n");
    }

    #[test]
    fn utf8_bom_is_dropped() {
        assert_eq!(decode(b"\xEF\xBB\xBFflask\n").unwrap(), "flask\n");
    }

    #[test]
    fn utf16_le_and_be() {
        assert_eq!(
            decode(&utf16le_with_bom("a==1\r\nb\r\n")).unwrap(),
            "a==1\r\nb\r\n"
        );
        let mut be = vec![0xFE, 0xFF];
        for unit in "b>2\n".encode_utf16() {
            be.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(decode(&be).unwrap(), "b>2\n");
    }

    #[test]
    fn utf32_le() {
        let mut bytes = vec![0xFF, 0xFE, 0x00, 0x00];
        for c in "x\n".chars() {
            bytes.extend_from_slice(&(c as u32).to_le_bytes());
        }
        assert_eq!(decode(&bytes).unwrap(), "x\n");
    }

    #[test]
    fn latin1_coding_comment() {
        let bytes = b"# -*- coding: latin-1 -*-\ncaf\xE9-pkg\n";
        assert_eq!(
            decode(bytes).unwrap(),
            "# -*- coding: latin-1 -*-\ncaf\u{e9}-pkg\n"
        );
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let err = decode(b"a\nb\n\xFF\n").unwrap_err();
        assert_eq!(err.line, 3);
    }

    #[test]
    fn unknown_coding_is_an_error() {
        let err = decode(b"# coding=klingon\nx\n").unwrap_err();
        assert!(err.message.contains("klingon"), "{}", err.message);
    }
}
