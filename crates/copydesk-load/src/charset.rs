//! Character encodings of web pages: declared (BOM, HTTP header, `<meta>`)
//! or detected, decoded to UTF-8.
//!
//! Labels follow the WHATWG Encoding Standard, as browsers do: a page that
//! declares `iso-8859-1` is decoded as windows-1252.

use encoding_rs::{Encoding, UTF_8};

/// How many leading bytes are searched for a `<meta>` charset declaration.
const META_SCAN_BYTES: usize = 8 * 1024;

/// Where the encoding used for a page came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    /// A byte order mark.
    Bom,
    /// The loader's `encoding` option.
    Configured,
    /// The HTTP `Content-Type` charset.
    Http,
    /// A `<meta charset>` or `<meta http-equiv>` declaration.
    Meta,
    /// The bytes are valid UTF-8.
    Utf8Valid,
    /// Guessed from the bytes (chardetng).
    Detected,
}

/// A decoded page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedPage {
    /// The text, UTF-8.
    pub text: String,
    /// The encoding used (`"windows-1252"`).
    pub encoding: &'static str,
    /// Where it came from.
    pub source: EncodingSource,
    /// Whether bytes that do not fit the encoding were replaced by U+FFFD.
    pub had_errors: bool,
}

/// Decodes an HTML page. `forced` (the loader's option) wins over
/// declarations except a BOM; `http_charset` is the charset of the HTTP
/// response, if any.
///
/// A declared legacy encoding is overruled when the bytes are valid UTF-8
/// holding non-ASCII characters (a common mislabel), and a declared UTF-8 is
/// overruled by detection when the bytes are not UTF-8.
pub fn decode_html(
    bytes: &[u8],
    forced: Option<&'static Encoding>,
    http_charset: Option<&str>,
) -> DecodedPage {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return decode_with(&bytes[bom_len..], encoding, EncodingSource::Bom);
    }
    if let Some(encoding) = forced {
        return decode_with(bytes, encoding, EncodingSource::Configured);
    }
    let valid_utf8 = std::str::from_utf8(bytes).is_ok();
    let declared = http_charset
        .and_then(|l| Encoding::for_label(l.trim().as_bytes()))
        .map(|e| (e, EncodingSource::Http))
        .or_else(|| meta_charset(bytes).map(|e| (e, EncodingSource::Meta)));
    match declared {
        Some((encoding, _)) if encoding == UTF_8 && !valid_utf8 => {
            decode_with(bytes, detect(bytes), EncodingSource::Detected)
        }
        Some(_) if valid_utf8 && !bytes.is_ascii() => {
            decode_with(bytes, UTF_8, EncodingSource::Utf8Valid)
        }
        // A page cannot declare UTF-16 in its own ASCII markup: the WHATWG
        // rule reads such a declaration as UTF-8.
        Some((encoding, EncodingSource::Meta)) => {
            decode_with(bytes, encoding.output_encoding(), EncodingSource::Meta)
        }
        Some((encoding, source)) => decode_with(bytes, encoding, source),
        None if valid_utf8 => decode_with(bytes, UTF_8, EncodingSource::Utf8Valid),
        None => decode_with(bytes, detect(bytes), EncodingSource::Detected),
    }
}

fn decode_with(bytes: &[u8], encoding: &'static Encoding, source: EncodingSource) -> DecodedPage {
    let (text, used, had_errors) = encoding.decode(bytes);
    DecodedPage {
        text: text.into_owned(),
        encoding: used.name(),
        source,
        had_errors,
    }
}

/// Guesses the encoding of bytes that are not UTF-8.
fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

/// The encoding named by a `<meta charset=...>` or
/// `<meta http-equiv="Content-Type" content="...; charset=...">` in the
/// first bytes of a page.
pub fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(META_SCAN_BYTES)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&lower[from..], b"<meta") {
        let start = from + i + 5;
        let end = memchr::memchr(b'>', &lower[start..]).map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(c) = memchr::memmem::find(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = trim_ascii_start(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = trim_ascii_start(rest);
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let len = rest
                    .iter()
                    .position(|&b| {
                        matches!(b, b'"' | b'\'' | b';' | b' ' | b'/' | b'>')
                            || b.is_ascii_whitespace()
                    })
                    .unwrap_or(rest.len());
                if let Some(e) = Encoding::for_label(&rest[..len]) {
                    return Some(e);
                }
            }
        }
        from = end.max(start);
    }
    None
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn windows_1252_declared_in_meta() {
        let page = b"<html><head><meta charset=\"windows-1252\"></head><body>Caf\xe9 \x93quoted\x94 \x80 5</body></html>";
        let d = decode_html(page, None, None);
        assert!(d.text.contains("Café “quoted” € 5"), "{}", d.text);
        assert_eq!(
            (d.encoding, d.source),
            ("windows-1252", EncodingSource::Meta)
        );
    }

    #[test]
    fn iso_8859_1_in_http_equiv_means_windows_1252() {
        let page = b"<meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-1'><p>na\xefve \x96 dash</p>";
        let d = decode_html(page, None, None);
        assert!(d.text.contains("naïve – dash"), "{}", d.text);
    }

    #[test]
    fn undeclared_windows_1252_is_detected() {
        let page = "<html><body><p>Le café était très animé, déjà à l’heure où les élèves arrivèrent. Où étaient-ils passés? Personne ne le savait, ni à Montréal ni à Québec.</p></body></html>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(page);
        let d = decode_html(&bytes, None, None);
        assert_eq!(d.text, page);
        assert_eq!(d.source, EncodingSource::Detected);
    }

    #[test]
    fn http_header_wins_over_meta_and_bom_wins_over_all() {
        let page = b"<meta charset=utf-8><p>\xe9t\xe9</p>";
        let d = decode_html(page, None, Some("iso-8859-1"));
        assert!(d.text.contains("été"));
        assert_eq!(d.source, EncodingSource::Http);
        let bom = b"\xef\xbb\xbf<meta charset=windows-1252><p>\xc3\xa9</p>";
        assert!(decode_html(bom, None, None).text.contains("<p>é</p>"));
    }

    #[test]
    fn mislabelled_pages_are_repaired() {
        // Declared latin-1, but valid UTF-8 with accents.
        let d = decode_html("<meta charset=iso-8859-1><p>été</p>".as_bytes(), None, None);
        assert!(d.text.contains("<p>été</p>"));
        // Declared UTF-8, but windows-1252 bytes.
        let d = decode_html(
            b"<meta charset=utf-8><p>\xe9t\xe9 d\xe9j\xe0 r\xe9serv\xe9</p>",
            None,
            None,
        );
        assert!(d.text.contains("été déjà réservé"), "{}", d.text);
    }

    #[test]
    fn configured_encoding_is_used() {
        let d = decode_html(
            b"<p>\xe9</p>",
            Some(encoding_rs::WINDOWS_1252),
            Some("utf-8"),
        );
        assert_eq!(d.text, "<p>é</p>");
    }

    proptest! {
        #[test]
        fn any_bytes_decode(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let d = decode_html(&bytes, None, None);
            prop_assert!(bytes.is_empty() || !d.text.is_empty());
        }

        #[test]
        fn utf8_text_is_kept(s in "\\PC{0,80}") {
            let page = format!("<p>{s}</p>");
            prop_assert_eq!(decode_html(page.as_bytes(), None, None).text, page);
        }
    }
}
