//! Transparent decompression: every loader reads gzip and zstd files as if
//! they were plain, whatever their name.
//!
//! The format is detected from the first bytes of the file (gzip `1f 8b`,
//! zstd `28 b5 2f fd`), so a compressed file without a `.gz` suffix is read
//! correctly and a plain file named `.gz` is read as plain. Gzip files may
//! hold several members (as `cat a.gz b.gz` or per-record WARC gzip make);
//! all are read.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// The gzip magic bytes.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// The zstd frame magic bytes.
pub const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// File name suffixes of compressed files, stripped before the format
/// extension is looked at (`a.jsonl.gz` is a JSON lines file).
pub const COMPRESSION_SUFFIXES: &[&str] = &["gz", "gzip", "zst", "zstd"];

/// How a byte stream is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed (or not in a format we know).
    Plain,
    /// gzip, possibly several members.
    Gzip,
    /// zstd, possibly several frames.
    Zstd,
}

impl Compression {
    /// Detects the compression from the first bytes of a stream.
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&GZIP_MAGIC) {
            Compression::Gzip
        } else if head.starts_with(&ZSTD_MAGIC) {
            Compression::Zstd
        } else {
            Compression::Plain
        }
    }
}

/// A decompressed byte stream, buffered.
pub type DecodedReader = Box<dyn BufRead + Send>;

/// Opens `path` and returns its content, decompressed when the first bytes
/// say it is gzip or zstd.
///
/// Errors are the io errors of opening the file or of starting the zstd
/// decoder; errors of corrupt or truncated compressed data show up later,
/// while reading.
pub fn open_decoded(path: &Path) -> io::Result<DecodedReader> {
    let file = File::open(path)?;
    decode(BufReader::with_capacity(64 * 1024, file))
}

/// Wraps any buffered reader in the decoder its first bytes call for.
pub fn decode<R: BufRead + Send + 'static>(mut reader: R) -> io::Result<DecodedReader> {
    let head = peek_head(&mut reader, ZSTD_MAGIC.len())?;
    Ok(match Compression::sniff(&head) {
        Compression::Plain => Box::new(reader),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            64 * 1024,
            flate2::bufread::MultiGzDecoder::new(reader),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            64 * 1024,
            zstd::stream::read::Decoder::with_buffer(reader)?,
        )),
    })
}

/// The first `n` bytes of a buffered reader (fewer at end of file), without
/// consuming them.
///
/// `fill_buf` may return fewer bytes than are available; the buffer of a
/// fresh `BufReader` is filled by one `read`, which for a regular file
/// returns at least `n` bytes when the file has them.
fn peek_head<R: BufRead>(reader: &mut R, n: usize) -> io::Result<Vec<u8>> {
    let buf = reader.fill_buf()?;
    Ok(buf[..buf.len().min(n)].to_vec())
}

/// Reads a whole (possibly compressed) file into memory, up to `max_bytes`.
///
/// Returns the bytes read so far together with the error when reading
/// stops early (a truncated gzip file, say), so the caller can report how
/// far it got.
pub fn read_all(path: &Path, max_bytes: u64) -> Result<Vec<u8>, ReadAllError> {
    let reader = open_decoded(path).map_err(|error| ReadAllError {
        bytes: Vec::new(),
        error,
    })?;
    let mut bytes = Vec::new();
    match reader
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
    {
        Ok(_) if bytes.len() as u64 > max_bytes => Err(ReadAllError {
            error: io::Error::new(
                io::ErrorKind::InvalidData,
                format!("file larger than {max_bytes} bytes (option `max_bytes`)"),
            ),
            bytes,
        }),
        Ok(_) => Ok(bytes),
        Err(error) => Err(ReadAllError { bytes, error }),
    }
}

/// A read that stopped early: what was read, and why it stopped.
#[derive(Debug, thiserror::Error)]
#[error("{error} (after {} bytes)", bytes.len())]
pub struct ReadAllError {
    /// The bytes read before the error.
    pub bytes: Vec<u8>,
    /// The io error.
    pub error: io::Error,
}

/// `path` without its compression suffixes (`a.jsonl.gz` → `a.jsonl`).
pub fn strip_compression_suffix(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    while let Some(ext) = p.extension().and_then(|e| e.to_str()) {
        if COMPRESSION_SUFFIXES
            .iter()
            .any(|s| s.eq_ignore_ascii_case(ext))
        {
            p.set_extension("");
        } else {
            break;
        }
    }
    p
}

/// The format extension of `path`, lower case, after compression suffixes
/// are stripped (`A.JSONL.gz` → `jsonl`).
pub fn format_extension(path: &Path) -> Option<String> {
    strip_compression_suffix(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Whether the format extension of `path` is one of `extensions`
/// (compared without case and without a leading dot).
pub fn has_extension(path: &Path, extensions: &[String]) -> bool {
    format_extension(path).is_some_and(|ext| {
        extensions
            .iter()
            .any(|e| e.trim_start_matches('.').eq_ignore_ascii_case(&ext))
    })
}

/// The file stem used for document ids: the file name without compression
/// suffixes and without its format extension (`dir/a.jsonl.gz` → `a`).
pub fn id_stem(path: &Path) -> String {
    let plain = strip_compression_suffix(path);
    plain
        .file_stem()
        .or_else(|| path.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn suffixes_are_seen_through() {
        assert_eq!(
            format_extension(Path::new("d/a.JSONL.gz")).as_deref(),
            Some("jsonl")
        );
        assert_eq!(
            format_extension(Path::new("a.txt.zst")).as_deref(),
            Some("txt")
        );
        assert_eq!(format_extension(Path::new("a.gz")), None);
        assert_eq!(id_stem(Path::new("d/a.b.jsonl.gz")), "a.b");
        assert_eq!(id_stem(Path::new("d/README")), "README");
        assert!(has_extension(
            Path::new("x.NDJSON.zstd"),
            &[".ndjson".to_string()]
        ));
    }

    #[test]
    fn content_decides_not_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let gz = dir.path().join("looks-plain.txt");
        let mut enc = flate2::write::GzEncoder::new(
            File::create(&gz).unwrap(),
            flate2::Compression::default(),
        );
        enc.write_all(b"hello gzip").unwrap();
        enc.finish().unwrap();
        assert_eq!(read_all(&gz, 1000).unwrap(), b"hello gzip");

        let zst = dir.path().join("z.bin");
        std::fs::write(&zst, zstd::encode_all(&b"hello zstd"[..], 3).unwrap()).unwrap();
        assert_eq!(read_all(&zst, 1000).unwrap(), b"hello zstd");

        let plain = dir.path().join("p.gz");
        std::fs::write(&plain, b"not compressed").unwrap();
        assert_eq!(read_all(&plain, 1000).unwrap(), b"not compressed");
    }

    #[test]
    fn truncated_gzip_keeps_what_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let text = "line of text\n".repeat(10_000);
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(text.as_bytes()).unwrap();
        let full = enc.finish().unwrap();
        let path = dir.path().join("t.gz");
        std::fs::write(&path, &full[..full.len() / 2]).unwrap();
        let err = read_all(&path, u64::MAX).unwrap_err();
        assert!(!err.bytes.is_empty() && err.bytes.len() < text.len());
        assert!(text.as_bytes().starts_with(&err.bytes));
    }

    #[test]
    fn truncated_zstd_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let text = "line of text\n".repeat(10_000);
        let full = zstd::encode_all(text.as_bytes(), 3).unwrap();
        let path = dir.path().join("t.zst");
        std::fs::write(&path, &full[..full.len() / 2]).unwrap();
        assert!(read_all(&path, u64::MAX).is_err());
    }

    #[test]
    fn size_limit_is_enforced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.txt");
        std::fs::write(&path, vec![b'a'; 100]).unwrap();
        assert!(read_all(&path, 99).is_err());
        assert_eq!(read_all(&path, 100).unwrap().len(), 100);
    }
}
