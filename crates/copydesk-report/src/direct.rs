//! Writing a large output file past the page cache (`O_DIRECT` on Linux).
//!
//! `documents.jsonl` is several times the size of the input. Written through
//! the page cache, every byte is copied into cache pages the kernel must
//! find (and, on a virtual machine, the host must back) and later write
//! back on a kernel thread that competes with the pipeline for the cores.
//! Written directly, whole aligned blocks go from our buffer to the device.
//! Where the system or the file system refuses direct writes, the file is
//! written the ordinary way; the bytes on disk are the same either way.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Every direct write starts at a multiple of this, in memory and in the
/// file, and is a multiple of it long.
const BLOCK: usize = 4096;
/// Bytes gathered before they are written.
const CHUNK: usize = 1 << 20;

/// A file written in whole aligned blocks, directly when it can be; the last
/// partial block is written the ordinary way by [`DirectFile::finish`].
pub(crate) struct DirectFile {
    path: PathBuf,
    file: File,
    /// Whether `file` was opened for direct writes (and accepted them).
    direct: bool,
    /// `CHUNK + BLOCK` bytes; the gathered bytes start at `start`, the
    /// first address in it aligned to `BLOCK`.
    storage: Vec<u8>,
    start: usize,
    /// Bytes gathered and not yet written.
    len: usize,
    /// Bytes written to the file so far.
    written: u64,
}

impl DirectFile {
    /// Creates (or truncates) `path`, for direct writes where they are
    /// allowed and ordinary writes elsewhere.
    pub(crate) fn create(path: &Path) -> io::Result<DirectFile> {
        let (file, direct) = match open_direct(path) {
            Some(file) => (file, true),
            None => (File::create(path)?, false),
        };
        let storage = vec![0u8; CHUNK + BLOCK];
        let start = storage.as_ptr().align_offset(BLOCK).min(BLOCK);
        Ok(DirectFile {
            path: path.to_path_buf(),
            file,
            direct,
            storage,
            start,
            len: 0,
            written: 0,
        })
    }

    /// Whether writes go past the page cache.
    #[cfg(test)]
    pub(crate) fn is_direct(&self) -> bool {
        self.direct
    }

    /// Writes the whole blocks gathered and keeps the rest.
    fn write_whole_blocks(&mut self) -> io::Result<()> {
        let whole = if self.direct {
            self.len / BLOCK * BLOCK
        } else {
            self.len
        };
        if whole == 0 {
            return Ok(());
        }
        let at = self.start;
        if let Err(e) = self.file.write_all(&self.storage[at..at + whole]) {
            // A file system may open for direct writes and refuse them: go
            // on the ordinary way from what reached the file.
            if !self.direct || e.kind() != io::ErrorKind::InvalidInput {
                return Err(e);
            }
            self.file = OpenOptions::new().append(true).open(&self.path)?;
            self.direct = false;
            let reached = self.file.metadata()?.len().saturating_sub(self.written);
            let reached = usize::try_from(reached).unwrap_or(usize::MAX).min(self.len);
            self.drop_front(reached);
            return self.write_whole_blocks();
        }
        self.drop_front(whole);
        Ok(())
    }

    /// Forgets the first `n` gathered bytes, which reached the file.
    fn drop_front(&mut self, n: usize) {
        let at = self.start;
        self.storage.copy_within(at + n..at + self.len, at);
        self.len -= n;
        self.written += n as u64;
    }

    /// Writes everything gathered (the last partial block the ordinary
    /// way) and returns the file.
    pub(crate) fn finish(mut self) -> io::Result<File> {
        self.write_whole_blocks()?;
        if self.len == 0 {
            return Ok(self.file);
        }
        let mut plain = OpenOptions::new().append(true).open(&self.path)?;
        plain.write_all(&self.storage[self.start..self.start + self.len])?;
        Ok(plain)
    }
}

impl Write for DirectFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(CHUNK - self.len);
        let at = self.start + self.len;
        self.storage[at..at + n].copy_from_slice(&data[..n]);
        self.len += n;
        if self.len == CHUNK {
            self.write_whole_blocks()?;
        }
        Ok(n)
    }

    /// Writes the whole blocks gathered; a last partial block waits for
    /// [`DirectFile::finish`] (a direct write cannot be shorter).
    fn flush(&mut self) -> io::Result<()> {
        self.write_whole_blocks()
    }
}

/// Opens `path` for direct writes, or `None` where that is not possible.
#[cfg(target_os = "linux")]
fn open_direct(path: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .custom_flags(libc::O_DIRECT)
        .open(path)
        .ok()
}

/// Direct writes are only used on Linux.
#[cfg(not(target_os = "linux"))]
fn open_direct(_: &Path) -> Option<File> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Writes `pieces` through a `DirectFile` in `dir` and returns the file's bytes.
    fn written(dir: &Path, pieces: &[Vec<u8>], flush_every: usize) -> (Vec<u8>, bool) {
        let path = dir.join("out.jsonl");
        let mut f = DirectFile::create(&path).unwrap();
        let direct = f.is_direct();
        for (i, p) in pieces.iter().enumerate() {
            f.write_all(p).unwrap();
            if flush_every > 0 && i % flush_every == 0 {
                f.flush().unwrap();
            }
        }
        let mut file = f.finish().unwrap();
        file.flush().unwrap();
        (std::fs::read(&path).unwrap(), direct)
    }

    #[test]
    fn a_file_written_directly_holds_exactly_the_bytes_given() {
        // The crate's directory is on a disk file system, where Linux allows
        // direct writes (a temporary directory may be in memory).
        let dir = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).unwrap();
        let line: Vec<u8> = (0..1000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let pieces: Vec<Vec<u8>> = (0..3000).map(|_| line.clone()).collect();
        let (bytes, direct) = written(dir.path(), &pieces, 0);
        assert_eq!(bytes, pieces.concat());
        if cfg!(target_os = "linux") {
            assert!(direct, "direct writes were refused on the crate's disk");
        }
        // Empty, shorter than a block, exactly one chunk.
        for size in [0, 1, BLOCK - 1, BLOCK, CHUNK, CHUNK + 1] {
            let piece = vec![b'x'; size];
            assert_eq!(
                written(dir.path(), std::slice::from_ref(&piece), 0).0,
                piece,
                "{size} bytes"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn any_pieces_and_flushes_give_the_same_file(
            sizes in prop::collection::vec(0usize..300_000, 0..24),
            flush_every in 0usize..5,
            seed in any::<u8>(),
        ) {
            let dir = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).unwrap();
            let pieces: Vec<Vec<u8>> = sizes
                .iter()
                .enumerate()
                .map(|(i, &n)| (0..n).map(|k| (k as u8).wrapping_mul(31) ^ seed ^ i as u8).collect())
                .collect();
            let (bytes, _) = written(dir.path(), &pieces, flush_every);
            prop_assert_eq!(bytes, pieces.concat());
        }
    }
}
