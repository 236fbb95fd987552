//! `load.text.v1`: plain-text files, one article per file.

use crate::compression::{self, has_extension, id_stem};
use crate::decoding::{InvalidUtf8, decode_utf8};
use copydesk_core::{
    BuiltStage, Document, LoadError, LoadStage, OptionDoc, OptionError, Source, StageConfig,
    StageKind, cap,
};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Options of `load.text.v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TextLoaderConfig {
    /// File extensions this loader reads, without the dot; compression
    /// suffixes (`.gz`, `.zst`) are looked through.
    pub extensions: Vec<String>,
    /// What to do with bytes that are not UTF-8: `"error"` rejects the
    /// file, naming the byte offset and line; `"replace"` puts U+FFFD in
    /// their place.
    pub invalid_utf8: InvalidUtf8,
    /// Largest file (after decompression) read, in bytes; a larger file is
    /// an error rather than a risk to memory.
    pub max_bytes: u64,
}

impl Default for TextLoaderConfig {
    fn default() -> Self {
        TextLoaderConfig {
            extensions: vec!["txt".into(), "text".into()],
            invalid_utf8: InvalidUtf8::Error,
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

impl StageConfig for TextLoaderConfig {
    const NAME: &'static str = "load.text.v1";
    const KIND: StageKind = StageKind::Load;
    const DESCRIPTION: &'static str =
        "Reads plain-text files (also gzip/zstd), one article per file.";
    const NEEDS: &'static [copydesk_core::Capability] = &[];
    const PROVIDES: &'static [copydesk_core::Capability] = &[cap::TEXT_RAW];
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "extensions",
            kind: "list of strings",
            doc: "File extensions read (default [\"txt\", \"text\"]); .gz/.zst suffixes are looked through.",
        },
        OptionDoc {
            name: "invalid_utf8",
            kind: "string",
            doc: "\"error\" (default: the file is rejected, naming byte offset and line) or \"replace\" (U+FFFD).",
        },
        OptionDoc {
            name: "max_bytes",
            kind: "integer",
            doc: "Largest file read after decompression, in bytes (default 64 MiB).",
        },
    ];

    fn validate(&self) -> Result<(), OptionError> {
        crate::validate_extensions(&self.extensions)?;
        if self.max_bytes == 0 {
            return Err(OptionError::for_key("max_bytes", "must be at least 1"));
        }
        Ok(())
    }

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Load(Box::new(TextLoader::new(self.clone()))))
    }
}

/// Reads plain-text files, one document per file.
///
/// The document's id is the file stem (`dir/a.txt.gz` → `a`); a UTF-8 byte
/// order mark is removed; otherwise the text is kept exactly as in the file.
#[derive(Debug, Clone)]
pub struct TextLoader {
    config: TextLoaderConfig,
}

impl TextLoader {
    /// A loader with these options (not validated: see [`StageConfig::validate`]).
    pub fn new(config: TextLoaderConfig) -> Self {
        TextLoader { config }
    }

    /// Reads one file into a document.
    pub fn load(&self, path: &Path) -> Result<Document, LoadError> {
        let bytes = compression::read_all(path, self.config.max_bytes)
            .map_err(|e| LoadError::file(path, format!("cannot read: {e}")))?;
        let text = decode_utf8(&bytes, self.config.invalid_utf8)
            .map_err(|e| LoadError::at(path, Some(e.line), None, e.to_string()))?;
        if text.trim().is_empty() {
            return Err(LoadError::file(path, "empty file"));
        }
        let source = Source {
            path: path.display().to_string(),
            record: None,
            line: None,
        };
        Ok(Document::new(id_stem(path), source, text))
    }
}

impl LoadStage for TextLoader {
    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &self.config.extensions)
    }

    fn open<'a>(
        &'a self,
        path: &Path,
    ) -> Box<dyn Iterator<Item = Result<Document, LoadError>> + Send + 'a> {
        Box::new(std::iter::once(self.load(path)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_core::testing::check_factory;
    use std::io::Write;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn loader() -> TextLoader {
        TextLoader::new(TextLoaderConfig::default())
    }

    #[test]
    fn factory_is_sound() {
        check_factory(&copydesk_core::factory::<TextLoaderConfig>());
    }

    #[test]
    fn reads_seed_article_with_stem_id() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../seeds/001_25e86bbaf733a1cc.txt"
        ));
        let docs: Vec<_> = loader().open(path).collect();
        assert_eq!(docs.len(), 1);
        let doc = docs[0].as_ref().unwrap();
        assert_eq!(doc.id, "001_25e86bbaf733a1cc");
        assert!(doc.text.contains("ISLAMABAD"), "{}", doc.text);
        assert_eq!(doc.raw, doc.text);
        assert!(doc.source.path.ends_with("001_25e86bbaf733a1cc.txt"));
    }

    #[test]
    fn accepts_by_extension_through_compression_suffixes() {
        let l = loader();
        assert!(l.accepts(Path::new("a.txt")));
        assert!(l.accepts(Path::new("a.TXT.gz")));
        assert!(l.accepts(Path::new("dir/a.text.zst")));
        assert!(!l.accepts(Path::new("a.jsonl")));
        assert!(!l.accepts(Path::new("a.gz")));
        assert!(!l.accepts(Path::new("txt")));
    }

    #[test]
    fn strips_bom_and_keeps_text() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "b.txt", "\u{feff}Héllo\nworld\n".as_bytes());
        let doc = loader().load(&p).unwrap();
        assert_eq!(doc.text, "Héllo\nworld\n");
        assert_eq!(doc.id, "b");
    }

    #[test]
    fn invalid_utf8_names_offset_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "bad.txt", b"first line\nsecond \xff line\n");
        let err = loader().load(&p).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("byte 18"), "{err}");
        assert!(err.to_string().contains("bad.txt:2"), "{err}");

        let replacing = TextLoader::new(TextLoaderConfig {
            invalid_utf8: InvalidUtf8::Replace,
            ..TextLoaderConfig::default()
        });
        let doc = replacing.load(&p).unwrap();
        assert_eq!(doc.text, "first line\nsecond \u{fffd} line\n");
    }

    #[test]
    fn empty_and_blank_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in [
            ("e.txt", &b""[..]),
            ("w.txt", b" \n\t\r\n"),
            ("bom.txt", b"\xef\xbb\xbf  "),
        ] {
            let err = loader().load(&write(dir.path(), name, bytes)).unwrap_err();
            assert_eq!(err.message, "empty file", "{name}");
        }
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let err = loader().load(Path::new("/no/such/file.txt")).unwrap_err();
        assert!(err.message.contains("cannot read"), "{err}");
        assert!(err.to_string().contains("/no/such/file.txt"), "{err}");
    }

    #[test]
    fn reads_gzip_and_zstd_regardless_of_name() {
        let dir = tempfile::tempdir().unwrap();
        let text = "Compressed article body.\n";
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(text.as_bytes()).unwrap();
        let gz = write(dir.path(), "g.txt.gz", &enc.finish().unwrap());
        let zst = write(
            dir.path(),
            "z.txt",
            &zstd::encode_all(text.as_bytes(), 1).unwrap(),
        );
        assert_eq!(loader().load(&gz).unwrap().text, text);
        assert_eq!(loader().load(&gz).unwrap().id, "g");
        assert_eq!(loader().load(&zst).unwrap().text, text);
    }

    #[test]
    fn truncated_gzip_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let text = "Some words in a long article.\n".repeat(2000);
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(text.as_bytes()).unwrap();
        let full = enc.finish().unwrap();
        let p = write(dir.path(), "cut.txt.gz", &full[..full.len() - 20]);
        let err = loader().load(&p).unwrap_err();
        assert!(err.to_string().contains("cut.txt.gz"), "{err}");
    }

    #[test]
    fn oversized_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "big.txt", &[b'x'; 50]);
        let small = TextLoader::new(TextLoaderConfig {
            max_bytes: 10,
            ..TextLoaderConfig::default()
        });
        assert!(small.load(&p).unwrap_err().message.contains("max_bytes"));
    }
}
