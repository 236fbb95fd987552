//! Reading lines with bounded memory: a line longer than the limit is
//! skipped without being held in memory.

use std::io::{self, BufRead, Read};

/// What one call to [`read_line_capped`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineRead {
    /// End of input; nothing was read.
    Eof,
    /// A line (without its `\n`, and without a trailing `\r`) is in the buffer.
    Line,
    /// The line was longer than the limit and was skipped; `bytes` is its
    /// length without the newline.
    TooLong {
        /// The skipped line's length in bytes.
        bytes: u64,
    },
}

/// Reads the next line of `reader` into `buf` (cleared first), holding at
/// most `max_bytes + 1` bytes of it in memory.
pub fn read_line_capped<R: BufRead + ?Sized>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max_bytes: usize,
) -> io::Result<LineRead> {
    buf.clear();
    // Room for the line, a `\r` and the `\n`.
    let limit = (max_bytes as u64).saturating_add(2);
    let n = reader.take(limit).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(LineRead::Eof);
    }
    let ended = buf.last() == Some(&b'\n');
    if ended || (n as u64) < limit {
        // A whole line (or the last line of the input, without a newline).
        if ended {
            buf.pop();
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        return Ok(if buf.len() > max_bytes {
            LineRead::TooLong {
                bytes: buf.len() as u64,
            }
        } else {
            LineRead::Line
        });
    }
    let mut skipped = n as u64;
    buf.clear();
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            break;
        }
        match available.iter().position(|&b| b == b'\n') {
            Some(i) => {
                skipped += i as u64;
                reader.consume(i + 1);
                break;
            }
            None => {
                let len = available.len();
                skipped += len as u64;
                reader.consume(len);
            }
        }
    }
    Ok(LineRead::TooLong { bytes: skipped })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], max: usize) -> Vec<(LineRead, Vec<u8>)> {
        let mut r = io::BufReader::with_capacity(4, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            let got = read_line_capped(&mut r, &mut buf, max).unwrap();
            if got == LineRead::Eof {
                return out;
            }
            out.push((got, buf.clone()));
        }
    }

    #[test]
    fn splits_lines_and_strips_crlf() {
        let got = all(b"ab\r\ncd\n\nef", 10);
        let lines: Vec<&[u8]> = got.iter().map(|(_, b)| b.as_slice()).collect();
        assert_eq!(lines, [&b"ab"[..], b"cd", b"", b"ef"]);
        assert!(got.iter().all(|(k, _)| *k == LineRead::Line));
    }

    #[test]
    fn long_lines_are_skipped_and_reading_resumes() {
        let got = all(b"12345\n1234567890123\nok\n123456", 5);
        assert_eq!(got[0], (LineRead::Line, b"12345".to_vec()));
        assert_eq!(got[1].0, LineRead::TooLong { bytes: 13 });
        assert_eq!(got[2], (LineRead::Line, b"ok".to_vec()));
        assert_eq!(got[3].0, LineRead::TooLong { bytes: 6 });
        assert_eq!(got.len(), 4);
        let crlf = all(b"12345\r\n123456\r\nx", 5);
        assert_eq!(crlf[0], (LineRead::Line, b"12345".to_vec()));
        assert_eq!(crlf[1].0, LineRead::TooLong { bytes: 7 });
        assert_eq!(crlf[2], (LineRead::Line, b"x".to_vec()));
    }
}
