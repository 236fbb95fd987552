//! Properties every loader must have: arbitrary bytes give documents or
//! errors (never a panic), compression does not change what is read, and
//! documents written as JSON lines read back the same.

use copydesk_core::{Document, LoadError, LoadStage, Source};
use copydesk_load::{
    HtmlLoader, HtmlLoaderConfig, JsonlLoader, JsonlLoaderConfig, TextLoader, TextLoaderConfig,
    WarcLoader, WarcLoaderConfig,
};
use proptest::prelude::*;
use std::io::Write;
use std::path::Path;

fn loaders() -> Vec<(&'static str, Box<dyn LoadStage>)> {
    vec![
        (
            "txt",
            Box::new(TextLoader::new(TextLoaderConfig::default())),
        ),
        (
            "jsonl",
            Box::new(JsonlLoader::new(JsonlLoaderConfig::default())),
        ),
        (
            "html",
            Box::new(HtmlLoader::new(HtmlLoaderConfig::default()).unwrap()),
        ),
        (
            "warc",
            Box::new(WarcLoader::new(WarcLoaderConfig::default()).unwrap()),
        ),
    ]
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 1).unwrap()
}

/// Loads `bytes` as a file named `name`, returning documents and errors in
/// a comparable form (errors without the path, which differs by file).
fn load(
    loader: &dyn LoadStage,
    dir: &Path,
    name: &str,
    bytes: &[u8],
) -> Vec<Result<Document, String>> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    loader
        .open(&path)
        .map(|r| {
            r.map(|mut d| {
                d.source.path.clear();
                d
            })
            .map_err(|e: LoadError| format!("{:?} {:?} {}", e.line, e.record, e.message))
        })
        .collect()
}

fn arbitrary_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        "\\PC{0,200}".prop_map(String::into_bytes),
        // Tag soup, the interesting case for the HTML loader.
        proptest::collection::vec(
            prop_oneof![
                Just("<p>".to_string()),
                Just("</p>".to_string()),
                Just("<article>".to_string()),
                Just("<div class='nav'>".to_string()),
                Just("</div>".to_string()),
                Just("<meta charset=windows-1252>".to_string()),
                Just("<script>x</script>".to_string()),
                "\\PC{0,40}",
            ],
            0..30
        )
        .prop_map(|parts| parts.concat().into_bytes()),
        // JSON-ish lines, the interesting case for the JSONL parser.
        proptest::collection::vec(
            prop_oneof![
                Just("{\"text\": \"a b\"}".to_string()),
                Just("{\"text\": null, \"id\": 1}".to_string()),
                Just("".to_string()),
                "\\PC{0,20}".prop_map(|s| format!("{{\"text\": {s:?}, \"title\": 3}}")),
                "[\\[\\]{}\":,a-z0-9 ]{0,20}",
            ],
            0..8
        )
        .prop_map(|lines| lines.join("\n").into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in arbitrary_input()) {
        let dir = tempfile::tempdir().unwrap();
        for (ext, l) in loaders() {
            for (name, content) in [
                (format!("a.{ext}"), bytes.clone()),
                (format!("g.{ext}.gz"), [&[0x1f, 0x8b][..], &bytes].concat()),
                (format!("z.{ext}.zst"), [&[0x28, 0xb5, 0x2f, 0xfd][..], &bytes].concat()),
            ] {
                for d in load(l.as_ref(), dir.path(), &name, &content).iter().flatten() {
                    prop_assert!(!d.text.trim().is_empty());
                    prop_assert!(!d.id.is_empty());
                }
            }
        }
    }

    #[test]
    fn compression_does_not_change_what_is_read(bytes in arbitrary_input()) {
        let dir = tempfile::tempdir().unwrap();
        for (ext, l) in loaders() {
            let plain = load(l.as_ref(), dir.path(), &format!("p.{ext}"), &bytes);
            let gz = load(l.as_ref(), dir.path(), &format!("p.{ext}.gz"), &gzip(&bytes));
            let zst = load(l.as_ref(), dir.path(), &format!("p.{ext}.zst"), &zstd(&bytes));
            prop_assert_eq!(&plain, &gz);
            prop_assert_eq!(&plain, &zst);
        }
    }

    #[test]
    fn jsonl_round_trip_keeps_ids_and_texts(
        docs in proptest::collection::vec(("[a-z0-9-]{1,12}", "\\PC{0,80}"), 0..12)
    ) {
        let docs: Vec<(String, String)> = docs
            .into_iter()
            .filter(|(_, t)| !t.trim().is_empty())
            .collect();
        let mut file = String::new();
        for (id, text) in &docs {
            let d = Document::new(id.clone(), Source::default(), text.clone());
            file.push_str(&serde_json::to_string(&d).unwrap());
            file.push('\n');
        }
        let dir = tempfile::tempdir().unwrap();
        let l = JsonlLoader::new(JsonlLoaderConfig::default());
        let back = load(&l, dir.path(), "rt.jsonl", file.as_bytes());
        prop_assert_eq!(back.len(), docs.len());
        for (r, (id, text)) in back.iter().zip(&docs) {
            let d = r.as_ref().unwrap();
            prop_assert_eq!(&d.id, id);
            prop_assert_eq!(&d.text, text);
            prop_assert_eq!(&d.raw, text);
        }
    }

    #[test]
    fn text_round_trip_keeps_text(text in "\\PC{1,200}") {
        prop_assume!(!text.trim().is_empty());
        let dir = tempfile::tempdir().unwrap();
        let l = TextLoader::new(TextLoaderConfig::default());
        for (name, bytes) in [
            ("t.txt", text.as_bytes().to_vec()),
            ("t.txt.gz", gzip(text.as_bytes())),
            ("t.txt.zst", zstd(text.as_bytes())),
        ] {
            let r = load(&l, dir.path(), name, &bytes);
            prop_assert_eq!(r.len(), 1);
            let d = r[0].as_ref().unwrap();
            prop_assert_eq!(&d.text, &text);
            prop_assert_eq!(&d.id, "t");
        }
    }
}
