//! Writing WARC files: for tests, fixtures and benchmarks that need an
//! archive of known pages.
//!
//! ```
//! use copydesk_load::warc_writer::WarcWriter;
//!
//! let mut w = WarcWriter::new(Vec::new(), true); // gzip per record, as Common Crawl
//! w.write_warcinfo("made by a doc test")?;
//! w.write_html_response("https://example.com/a", "2024-05-01T12:00:00Z", b"<p>Hello</p>")?;
//! let bytes = w.finish()?;
//! assert_eq!(&bytes[..2], &[0x1f, 0x8b]);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, Write};

/// Writes one uncompressed WARC/1.1 record: the version line, `WARC-Type`,
/// the given fields, `Content-Length`, the block and the closing empty line.
pub fn write_warc_record<W: Write + ?Sized>(
    out: &mut W,
    warc_type: &str,
    fields: &[(&str, &str)],
    block: &[u8],
) -> io::Result<()> {
    let mut head = String::with_capacity(256);
    head.push_str("WARC/1.1\r\n");
    head.push_str(&format!("WARC-Type: {warc_type}\r\n"));
    for (name, value) in fields {
        if name.contains([':', '\r', '\n']) || value.contains(['\r', '\n']) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("WARC field `{name}` cannot hold a line break or colon in its name"),
            ));
        }
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", block.len()));
    out.write_all(head.as_bytes())?;
    out.write_all(block)?;
    out.write_all(b"\r\n\r\n")
}

/// The HTTP response block of an HTML page served with status 200.
pub fn http_html_response(html: &[u8]) -> Vec<u8> {
    let mut block = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
        html.len()
    )
    .into_bytes();
    block.extend_from_slice(html);
    block
}

/// Writes WARC files record by record, optionally gzip-compressing each
/// record as its own gzip member (the `.warc.gz` layout of Common Crawl).
pub struct WarcWriter<W: Write> {
    out: W,
    gzip_per_record: bool,
    records: u64,
}

impl<W: Write> WarcWriter<W> {
    /// A writer into `out`; `gzip_per_record` compresses each record separately.
    pub fn new(out: W, gzip_per_record: bool) -> Self {
        WarcWriter {
            out,
            gzip_per_record,
            records: 0,
        }
    }

    /// How many records were written.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Writes a record with a fresh `WARC-Record-ID` added to `fields`.
    pub fn write_record(
        &mut self,
        warc_type: &str,
        fields: &[(&str, &str)],
        block: &[u8],
    ) -> io::Result<()> {
        self.records += 1;
        let id = record_id(self.records, warc_type, block);
        let mut all: Vec<(&str, &str)> = vec![("WARC-Record-ID", id.as_str())];
        all.extend_from_slice(fields);
        if self.gzip_per_record {
            let mut gz = flate2::write::GzEncoder::new(&mut self.out, flate2::Compression::fast());
            write_warc_record(&mut gz, warc_type, &all, block)?;
            gz.finish()?;
            Ok(())
        } else {
            write_warc_record(&mut self.out, warc_type, &all, block)
        }
    }

    /// Writes a `warcinfo` record with a free-text description.
    pub fn write_warcinfo(&mut self, description: &str) -> io::Result<()> {
        let block = format!("software: copydesk-load\r\ndescription: {description}\r\n");
        self.write_record(
            "warcinfo",
            &[("Content-Type", "application/warc-fields")],
            block.as_bytes(),
        )
    }

    /// Writes the `request` record of a GET for `uri`.
    pub fn write_request(&mut self, uri: &str, date: &str) -> io::Result<()> {
        let (host, path) = split_uri(uri);
        let block = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: copydesk\r\n\r\n");
        self.write_record(
            "request",
            &[
                ("WARC-Target-URI", uri),
                ("WARC-Date", date),
                ("Content-Type", "application/http; msgtype=request"),
            ],
            block.as_bytes(),
        )
    }

    /// Writes the `response` record of an HTML page served with status 200.
    pub fn write_html_response(&mut self, uri: &str, date: &str, html: &[u8]) -> io::Result<()> {
        self.write_record(
            "response",
            &[
                ("WARC-Target-URI", uri),
                ("WARC-Date", date),
                ("Content-Type", "application/http; msgtype=response"),
            ],
            &http_html_response(html),
        )
    }

    /// Flushes and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A `<urn:uuid:...>` made from a hash of the record (stable across runs).
fn record_id(n: u64, warc_type: &str, block: &[u8]) -> String {
    let mut a = DefaultHasher::new();
    (n, warc_type, block).hash(&mut a);
    let x = a.finish();
    let mut b = DefaultHasher::new();
    (x, n).hash(&mut b);
    let y = b.finish();
    format!(
        "<urn:uuid:{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}>",
        x >> 32,
        (x >> 16) & 0xffff,
        x & 0xfff,
        (y >> 48) & 0xfff,
        y & 0xffff_ffff_ffff
    )
}

/// Host and path of an `http(s)://host/path` URI (path `/` when absent).
fn split_uri(uri: &str) -> (&str, &str) {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    }
}
