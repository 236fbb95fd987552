//! A streaming WARC record reader that resynchronises after damage.
//!
//! Records are read from any byte stream (decompress first: per-record gzip
//! as Common Crawl writes it is one multi-member gzip stream, which
//! [`crate::compression`] reads whole). Each record's block is checked
//! against the `\r\n\r\n` that must follow it; when a `Content-Length` is
//! wrong the record is reported and reading goes on at the next
//! `WARC/` header, found inside the over-long block or further on.

use std::io::{self, Read};

/// The start of every WARC record header.
const WARC_MAGIC: &[u8] = b"WARC/";
/// Largest record header accepted, in bytes.
const MAX_HEADER_BYTES: usize = 256 * 1024;
/// How much is read from the inner stream at a time.
const READ_CHUNK: usize = 64 * 1024;

/// One WARC record: its named header fields and its block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcRecord {
    /// Record number in the file, from 1.
    pub number: u64,
    /// Byte offset of the record in the (decompressed) stream.
    pub offset: u64,
    /// The version line (`"WARC/1.1"`).
    pub version: String,
    /// Header fields in file order, names as written.
    pub headers: Vec<(String, String)>,
    /// The block (`Content-Length` bytes); empty when it was not kept
    /// because it exceeded the reader's limit (see [`WarcRecord::block_len`]).
    pub block: Vec<u8>,
    /// The block length announced by `Content-Length`.
    pub block_len: u64,
}

impl WarcRecord {
    /// The value of a header field (name compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `WARC-Type`, lower case (`"response"`, `"request"`, ...).
    pub fn warc_type(&self) -> String {
        self.header("WARC-Type")
            .unwrap_or_default()
            .to_ascii_lowercase()
    }

    /// Whether the block was kept (it fit within the reader's limit).
    pub fn block_kept(&self) -> bool {
        self.block.len() as u64 == self.block_len
    }
}

/// Why a record could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct WarcReadError {
    /// The record concerned (from 1), if a header was found.
    pub record: Option<u64>,
    /// Byte offset in the (decompressed) stream where the problem was found.
    pub offset: u64,
    /// What went wrong.
    pub message: String,
    /// Whether reading stopped (end of data or a read error) rather than
    /// resynchronised.
    pub fatal: bool,
}

/// Reads WARC records one at a time from a byte stream.
pub struct WarcReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// Start of the unread bytes in `buf`.
    pos: usize,
    /// Stream offset of `buf[0]`.
    buf_offset: u64,
    /// Start of a block in `buf` that must stay while its trailer is checked.
    pin: Option<usize>,
    eof: bool,
    done: bool,
    records: u64,
    max_block_bytes: u64,
}

impl<R: Read> WarcReader<R> {
    /// A reader keeping blocks of at most `max_block_bytes` in memory;
    /// larger blocks are skipped over and their records returned with an
    /// empty block.
    pub fn new(inner: R, max_block_bytes: u64) -> Self {
        WarcReader {
            inner,
            buf: Vec::new(),
            pos: 0,
            buf_offset: 0,
            pin: None,
            eof: false,
            done: false,
            records: 0,
            max_block_bytes,
        }
    }

    /// How many record headers were found so far.
    pub fn records_seen(&self) -> u64 {
        self.records
    }

    fn offset(&self) -> u64 {
        self.buf_offset + self.pos as u64
    }

    fn available(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// Reads until at least `n` unread bytes are buffered or the stream ends.
    fn fill(&mut self, n: usize) -> io::Result<()> {
        let cut = self.pin.map_or(self.pos, |p| p.min(self.pos));
        if cut > 0 && cut >= self.buf.len() / 2 {
            self.buf.drain(..cut);
            self.buf_offset += cut as u64;
            self.pos -= cut;
            self.pin = self.pin.map(|p| p - cut);
        }
        while self.buf.len() - self.pos < n && !self.eof {
            let old = self.buf.len();
            let want = READ_CHUNK.max(n - (old - self.pos));
            self.buf.resize(old + want, 0);
            match self.inner.read(&mut self.buf[old..]) {
                Ok(0) => {
                    self.buf.truncate(old);
                    self.eof = true;
                }
                Ok(k) => self.buf.truncate(old + k),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => self.buf.truncate(old),
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }

    /// Skips `n` bytes without keeping them.
    fn skip(&mut self, mut n: u64) -> io::Result<u64> {
        let mut skipped = 0;
        while n > 0 {
            if self.available().is_empty() {
                self.fill(1)?;
                if self.available().is_empty() {
                    break;
                }
            }
            let k = (self.available().len() as u64).min(n) as usize;
            self.consume(k);
            n -= k as u64;
            skipped += k as u64;
        }
        Ok(skipped)
    }

    /// Skips newline bytes; returns how many.
    fn skip_newlines(&mut self) -> io::Result<usize> {
        let mut count = 0;
        loop {
            self.fill(1)?;
            match self.available().first() {
                Some(b'\r' | b'\n') => {
                    self.consume(1);
                    count += 1;
                }
                _ => return Ok(count),
            }
        }
    }

    /// Whether the unread bytes start with `WARC/` (false at end of data).
    fn at_header(&mut self) -> io::Result<bool> {
        self.fill(WARC_MAGIC.len())?;
        Ok(self.available().starts_with(WARC_MAGIC))
    }

    /// Moves to the next `WARC/` at the start of a line (or at the current
    /// position); returns false when the stream ends first.
    fn resync(&mut self) -> io::Result<bool> {
        loop {
            if self.at_header()? {
                return Ok(true);
            }
            let found = find(self.available(), b"\nWARC/");
            match found {
                Some(i) => {
                    self.consume(i + 1);
                    return Ok(true);
                }
                None if self.eof => {
                    self.consume(self.available().len());
                    return Ok(false);
                }
                None => {
                    // Keep a possible partial marker at the end.
                    let keep = self.available().len().min(5);
                    self.consume(self.available().len() - keep);
                    let want = self.available().len() + READ_CHUNK;
                    self.fill(want)?;
                }
            }
        }
    }

    fn read_error(&mut self, e: io::Error) -> WarcReadError {
        self.done = true;
        WarcReadError {
            record: None,
            offset: self.offset(),
            message: format!(
                "reading stopped after {} records at byte {}: {e}",
                self.records,
                self.offset()
            ),
            fatal: true,
        }
    }

    /// Reads one header line (without the line end), or `None` at end of data.
    fn header_line(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(i) = self.available().iter().position(|&b| b == b'\n') {
                let mut line = self.available()[..i].to_vec();
                self.consume(i + 1);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(line));
            }
            if self.eof || self.available().len() > MAX_HEADER_BYTES {
                return Ok(None);
            }
            let want = self.available().len() + 1;
            self.fill(want)?;
        }
    }

    /// Reads the header of the record starting at the current position.
    fn read_header(&mut self, number: u64, start: u64) -> Result<WarcRecord, WarcReadError> {
        let bad = |message: String, offset: u64| WarcReadError {
            record: Some(number),
            offset,
            message,
            fatal: false,
        };
        let version = match self.header_line().map_err(|e| self.read_error(e))? {
            Some(line) => String::from_utf8_lossy(&line).trim().to_string(),
            None => return Err(bad("record header cut off".into(), start)),
        };
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut header_bytes = 0usize;
        loop {
            let Some(line) = self.header_line().map_err(|e| self.read_error(e))? else {
                return Err(bad("record header cut off".into(), self.offset()));
            };
            header_bytes += line.len();
            if header_bytes > MAX_HEADER_BYTES {
                return Err(bad("record header too long".into(), self.offset()));
            }
            if line.is_empty() {
                break;
            }
            let text = String::from_utf8_lossy(&line);
            if line[0] == b' ' || line[0] == b'\t' {
                // A folded continuation of the previous field.
                if let Some((_, value)) = headers.last_mut() {
                    value.push(' ');
                    value.push_str(text.trim());
                    continue;
                }
            }
            match text.split_once(':') {
                Some((name, value)) if !name.trim().is_empty() => {
                    headers.push((name.trim().to_string(), value.trim().to_string()))
                }
                _ => {
                    return Err(bad(
                        format!("malformed header line `{}`", truncate(&text, 60)),
                        self.offset(),
                    ));
                }
            }
        }
        let length = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
            .map(|(_, v)| v.as_str());
        let block_len = match length.map(str::parse::<u64>) {
            Some(Ok(n)) => n,
            Some(Err(_)) => {
                return Err(bad(
                    format!("invalid Content-Length `{}`", length.unwrap_or_default()),
                    self.offset(),
                ));
            }
            None => return Err(bad("missing Content-Length".into(), self.offset())),
        };
        Ok(WarcRecord {
            number,
            offset: start,
            version,
            headers,
            block: Vec::new(),
            block_len,
        })
    }

    /// Reads the next record, an error about a damaged one, or `None` at
    /// the end.
    fn next_record(&mut self) -> Option<Result<WarcRecord, WarcReadError>> {
        if self.done {
            return None;
        }
        if let Err(e) = self.skip_newlines() {
            return Some(Err(self.read_error(e)));
        }
        match self.at_header() {
            Err(e) => return Some(Err(self.read_error(e))),
            Ok(true) => {}
            Ok(false) if self.available().is_empty() => {
                self.done = true;
                return None;
            }
            Ok(false) => {
                let offset = self.offset();
                let found = self.resync();
                let after = self.records;
                let message = format!(
                    "garbage at byte {offset} after record {after} (not a WARC header); skipped"
                );
                return Some(match found {
                    Err(e) => Err(self.read_error(e)),
                    Ok(found) => {
                        self.done = !found;
                        Err(WarcReadError {
                            record: None,
                            offset,
                            message,
                            fatal: !found,
                        })
                    }
                });
            }
        }
        self.records += 1;
        let number = self.records;
        let start = self.offset();
        let mut record = match self.read_header(number, start) {
            Ok(r) => r,
            Err(e) if e.fatal => return Some(Err(e)),
            Err(e) => {
                // A header that failed before anything of it was consumed
                // (cut off at the end, an endless first line) must not be
                // found again where it starts: look for the next one.
                if self.offset() == start {
                    self.consume(1);
                }
                return Some(match self.resync() {
                    Err(io) => Err(self.read_error(io)),
                    Ok(found) => {
                        self.done = !found;
                        Err(e)
                    }
                });
            }
        };
        if record.block_len > self.max_block_bytes {
            match self.skip(record.block_len) {
                Err(e) => return Some(Err(self.read_error(e))),
                Ok(n) if n < record.block_len => return Some(Err(self.cut_off(&record, n))),
                Ok(_) => {}
            }
            return Some(self.check_trailer(&record).map(|()| record));
        }
        let len = record.block_len as usize;
        if let Err(e) = self.fill(len) {
            return Some(Err(self.read_error(e)));
        }
        if self.available().len() < len {
            let n = self.available().len() as u64;
            self.consume(len);
            return Some(Err(self.cut_off(&record, n)));
        }
        self.pin = Some(self.pos);
        self.consume(len);
        let checked = self.check_trailer(&record);
        let kept = self.pin.take();
        Some(checked.map(|()| {
            if let Some(start) = kept {
                record.block = self.buf[start..start + len].to_vec();
            }
            record
        }))
    }

    fn cut_off(&mut self, record: &WarcRecord, got: u64) -> WarcReadError {
        self.done = true;
        WarcReadError {
            record: Some(record.number),
            offset: record.offset,
            message: format!(
                "record cut off: Content-Length {} but only {got} bytes left",
                record.block_len
            ),
            fatal: true,
        }
    }

    /// Checks that the block is followed by line ends and then a record
    /// header or the end of data. When it is not, the `Content-Length` was
    /// wrong: resynchronises (inside the block for a too-long length, when
    /// the block is pinned in the buffer) and returns the error.
    fn check_trailer(&mut self, record: &WarcRecord) -> Result<(), WarcReadError> {
        let newlines = self.skip_newlines().map_err(|e| self.read_error(e))?;
        let next_ok = self.at_header().map_err(|e| self.read_error(e))?;
        let at_end = self.available().is_empty() && self.eof;
        if newlines > 0 && (next_ok || at_end) {
            return Ok(());
        }
        let message = format!(
            "Content-Length {} does not match the record's block (it is not followed by an empty line and the next record)",
            record.block_len
        );
        let error = WarcReadError {
            record: Some(record.number),
            offset: record.offset,
            message,
            fatal: false,
        };
        // A too-long length swallowed the next record's start: find it in the block.
        if let Some(start) = self.pin.take() {
            let block = &self.buf[start..];
            if let Some(i) = find(block, b"\r\n\r\nWARC/").or_else(|| find(block, b"\n\nWARC/")) {
                let skip = if block[i] == b'\r' { 4 } else { 2 };
                // Rewind to the header found; `start + i` is before `pos`.
                self.pos = start + i + skip;
                return Err(error);
            }
        }
        match self.resync() {
            Ok(found) => {
                self.done = !found;
                Err(error)
            }
            Err(e) => Err(self.read_error(e)),
        }
    }
}

impl<R: Read> Iterator for WarcReader<R> {
    type Item = Result<WarcRecord, WarcReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record()
    }
}

/// First index of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// The first `max` chars of `s`.
fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
