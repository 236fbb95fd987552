//! HTTP responses as archived in WARC `response` records: status, header
//! fields and the body with transfer and content codings undone.

use std::io::Read;

/// A parsed HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code (`200`).
    pub status: u16,
    /// Header fields in order, names as written.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked and decompressed where the headers say so.
    pub body: Vec<u8>,
}

/// Why an archived HTTP response could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The status line is not `HTTP/x.y NNN ...`.
    #[error("not an HTTP response (status line `{0}`)")]
    StatusLine(String),
    /// The header has no end.
    #[error("HTTP header without an end")]
    HeaderCutOff,
    /// The body is compressed in a way we cannot undo.
    #[error("cannot decode HTTP body with Content-Encoding `{0}`")]
    Encoding(String),
    /// Decompressing the body failed or exceeded the size limit.
    #[error("HTTP body does not decompress: {0}")]
    Decompress(String),
}

impl HttpResponse {
    /// The value of a header field (name compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The media type of `Content-Type`, lower case, without parameters.
    pub fn media_type(&self) -> Option<String> {
        self.header("Content-Type").map(media_type)
    }

    /// The `charset` parameter of `Content-Type`, if any.
    pub fn charset(&self) -> Option<String> {
        self.header("Content-Type").and_then(charset_param)
    }
}

/// The media type of a `Content-Type` value, lower case, without parameters.
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The `charset` parameter of a `Content-Type` value.
pub fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']).to_string())
            .filter(|v| !v.is_empty())
    })
}

/// Parses an archived HTTP response; the body is limited to `max_body`
/// bytes after decompression.
pub fn parse_response(block: &[u8], max_body: u64) -> Result<HttpResponse, HttpError> {
    let (head, body) = split_head(block).ok_or(HttpError::HeaderCutOff)?;
    let head = String::from_utf8_lossy(head);
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or_default();
    let status = parse_status(status_line)
        .ok_or_else(|| HttpError::StatusLine(status_line.chars().take(60).collect()))?;
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = headers.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((n, v)) = line.split_once(':') {
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
    }
    let mut response = HttpResponse {
        status,
        headers,
        body: Vec::new(),
    };
    let chunked = response
        .header("Transfer-Encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let body = match chunked.then(|| dechunk(body)).flatten() {
        Some(b) => b,
        None => body.to_vec(),
    };
    let coding = response
        .header("Content-Encoding")
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    response.body = decode_body(body, &coding, max_body)?;
    Ok(response)
}

/// Splits at the first empty line (`\r\n\r\n` or `\n\n`).
fn split_head(block: &[u8]) -> Option<(&[u8], &[u8])> {
    let crlf = memchr::memmem::find(block, b"\r\n\r\n").map(|i| (i, 4));
    let lf = memchr::memmem::find(block, b"\n\n").map(|i| (i, 2));
    let (i, len) = match (crlf, lf) {
        (Some(a), Some(b)) => {
            if a.0 <= b.0 {
                a
            } else {
                b
            }
        }
        (a, b) => a.or(b)?,
    };
    Some((&block[..i], &block[i + len..]))
}

fn parse_status(line: &str) -> Option<u16> {
    let mut parts = line.split_whitespace();
    let version = parts.next()?;
    if !version.starts_with("HTTP/") {
        return None;
    }
    parts.next()?.parse().ok()
}

/// Undoes `Transfer-Encoding: chunked`; `None` when the body is not
/// well-formed chunks (archives often store it already de-chunked).
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let eol = memchr::memchr(b'\n', body)?;
        let size_text = std::str::from_utf8(&body[..eol]).ok()?;
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        body = &body[eol + 1..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = &body[size..];
        body = body
            .strip_prefix(b"\r\n")
            .or_else(|| body.strip_prefix(b"\n"))
            .unwrap_or(body);
    }
}

fn decode_body(body: Vec<u8>, coding: &str, max_body: u64) -> Result<Vec<u8>, HttpError> {
    let limited = |reader: &mut dyn Read| -> Result<Vec<u8>, HttpError> {
        let mut out = Vec::new();
        reader
            .take(max_body.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| HttpError::Decompress(e.to_string()))?;
        if out.len() as u64 > max_body {
            return Err(HttpError::Decompress(format!(
                "larger than {max_body} bytes"
            )));
        }
        Ok(out)
    };
    match coding {
        "" | "identity" => Ok(body),
        // Archives (Common Crawl among them) often store the body already
        // decoded while keeping the header: trust the bytes.
        "gzip" | "x-gzip" if !body.starts_with(&crate::compression::GZIP_MAGIC) => Ok(body),
        "gzip" | "x-gzip" => limited(&mut flate2::read::MultiGzDecoder::new(body.as_slice())),
        "deflate" => {
            if body.first().is_some_and(|b| b & 0x0f == 8)
                && let Ok(out) = limited(&mut flate2::read::ZlibDecoder::new(body.as_slice()))
            {
                return Ok(out);
            }
            match limited(&mut flate2::read::DeflateDecoder::new(body.as_slice())) {
                Ok(out) => Ok(out),
                Err(_) if looks_like_text(&body) => Ok(body),
                Err(e) => Err(e),
            }
        }
        _ if looks_like_text(&body) => Ok(body),
        other => Err(HttpError::Encoding(other.to_string())),
    }
}

/// Whether the start of a body looks like markup or text rather than
/// compressed bytes.
fn looks_like_text(body: &[u8]) -> bool {
    let head = &body[..body.len().min(512)];
    let control = head
        .iter()
        .filter(|&&b| b < 0x09 || (0x0e..0x20).contains(&b))
        .count();
    !head.is_empty() && control * 20 < head.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn parses_status_headers_and_body() {
        let r = parse_response(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=\"ISO-8859-1\"\r\nX-A: 1\r\n\r\n<p>hi</p>",
            1000,
        )
        .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.media_type().as_deref(), Some("text/html"));
        assert_eq!(r.charset().as_deref(), Some("ISO-8859-1"));
        assert_eq!(r.body, b"<p>hi</p>");
    }

    #[test]
    fn undoes_chunking_and_gzip() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"<html>zipped</html>").unwrap();
        let gz = enc.finish().unwrap();
        let mut block = format!(
            "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
            gz.len()
        )
        .into_bytes();
        block.extend_from_slice(&gz);
        block.extend_from_slice(b"\r\n0\r\n\r\n");
        let r = parse_response(&block, 1000).unwrap();
        assert_eq!(r.body, b"<html>zipped</html>");
        assert!(parse_response(&block, 5).is_err());
    }

    #[test]
    fn already_decoded_bodies_are_kept() {
        let r = parse_response(
            b"HTTP/1.1 200 OK\nContent-Encoding: gzip\nTransfer-Encoding: chunked\n\n<html>plain</html>",
            1000,
        )
        .unwrap();
        assert_eq!(r.body, b"<html>plain</html>");
    }

    #[test]
    fn rejects_non_http() {
        assert!(matches!(
            parse_response(b"GET / HTTP/1.1\r\n\r\n", 10),
            Err(HttpError::StatusLine(_))
        ));
        assert_eq!(
            parse_response(b"HTTP/1.1 200 OK", 10),
            Err(HttpError::HeaderCutOff)
        );
    }
}
