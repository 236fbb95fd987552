//! Turning bytes into text: UTF-8 checks with a precise location, and the
//! byte order mark.

use serde::{Deserialize, Serialize};

/// The UTF-8 byte order mark.
pub const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// What a loader does with bytes that are not valid UTF-8.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvalidUtf8 {
    /// Reject the input, naming the byte offset and line.
    #[default]
    Error,
    /// Replace each invalid sequence with U+FFFD.
    Replace,
}

/// Bytes that are not UTF-8, located.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid UTF-8 at byte {offset} (line {line}, column {column})")]
pub struct Utf8Error {
    /// Offset of the first invalid byte, from 0, in the decompressed input.
    pub offset: usize,
    /// Line of the first invalid byte, from 1.
    pub line: u64,
    /// Byte column of the first invalid byte in its line, from 1.
    pub column: usize,
}

/// Decodes `bytes` as UTF-8 after removing a leading byte order mark.
///
/// Offsets in the error count the BOM, so they are offsets in the file (after
/// decompression).
pub fn decode_utf8(bytes: &[u8], policy: InvalidUtf8) -> Result<String, Utf8Error> {
    let (skip, body) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (UTF8_BOM.len(), rest),
        None => (0, bytes),
    };
    match std::str::from_utf8(body) {
        Ok(s) => Ok(s.to_string()),
        Err(_) if policy == InvalidUtf8::Replace => Ok(String::from_utf8_lossy(body).into_owned()),
        Err(e) => {
            let valid = &body[..e.valid_up_to()];
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            Err(Utf8Error {
                offset: skip + e.valid_up_to(),
                line: 1 + count_newlines(valid) as u64,
                column: 1 + valid.len() - line_start,
            })
        }
    }
}

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn locates_the_first_bad_byte() {
        let e = decode_utf8(b"ab\ncd\xc3(", InvalidUtf8::Error).unwrap_err();
        assert_eq!((e.offset, e.line, e.column), (5, 2, 3));
        let e = decode_utf8(b"\xef\xbb\xbf\xff", InvalidUtf8::Error).unwrap_err();
        assert_eq!((e.offset, e.line, e.column), (3, 1, 1));
    }

    #[test]
    fn replaces_when_asked() {
        assert_eq!(
            decode_utf8(b"a\xffb", InvalidUtf8::Replace).unwrap(),
            "a\u{fffd}b"
        );
    }

    proptest! {
        #[test]
        fn valid_text_round_trips(s in "\\PC{0,60}") {
            let mut bytes = UTF8_BOM.to_vec();
            bytes.extend_from_slice(s.as_bytes());
            prop_assert_eq!(decode_utf8(&bytes, InvalidUtf8::Error).unwrap(), s);
        }

        #[test]
        fn error_offset_points_at_invalid_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            match decode_utf8(&bytes, InvalidUtf8::Error) {
                Ok(_) => {}
                Err(e) => {
                    prop_assert!(e.offset < bytes.len());
                    prop_assert!(std::str::from_utf8(&bytes[e.offset..]).is_err());
                }
            }
        }
    }
}
