//! `load.jsonl.v1` on real and hand-made files.

use copydesk_core::{LoadError, LoadStage};
use copydesk_load::{JsonlLoader, JsonlLoaderConfig};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

const REUTERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/reuters21578/reuters21578.jsonl"
);

fn loader() -> JsonlLoader {
    JsonlLoader::new(JsonlLoaderConfig::default())
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn reuters_corpus_loads_with_null_texts_counted_as_errors() {
    let path = Path::new(REUTERS);
    if !path.exists() {
        eprintln!("skipped: {REUTERS} not present");
        return;
    }
    let l = loader();
    assert!(l.accepts(path));
    let (mut docs, mut errors) = (0u64, Vec::<LoadError>::new());
    let mut first = None;
    for r in l.open(path) {
        match r {
            Ok(d) => {
                docs += 1;
                if first.is_none() {
                    first = Some(d);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(docs + errors.len() as u64, 21_578);
    assert_eq!(errors.len(), 2_535, "{:?}", errors.first());
    assert!(
        errors
            .iter()
            .all(|e| e.message == "text field `text` is null" && e.line == e.record)
    );
    let d = first.unwrap();
    assert_eq!(d.id, "reuters-1");
    assert_eq!(d.meta.headline.as_deref(), Some("BAHIA COCOA REVIEW"));
    assert_eq!(d.meta.dateline.as_deref(), Some("SALVADOR, Feb 26 -"));
    assert_eq!(d.meta.date.as_deref(), Some("26-FEB-1987 15:01:01.79"));
    assert_eq!(d.meta.extra["topics"], json!(["cocoa"]));
    assert!(
        d.text
            .starts_with("Showers continued throughout the week in\nthe Bahia")
    );
    assert_eq!((d.source.line, d.source.record), (Some(1), Some(1)));
}

#[test]
fn every_kind_of_bad_line_is_reported_and_reading_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let body = concat!(
        "{\"id\": \"ok1\", \"text\": \"First story.\"}\n",
        "\n",
        "{not json\n",
        "[1, 2]\n",
        "{\"id\": \"x\"}\n",
        "{\"text\": null}\n",
        "{\"text\": 42}\n",
        "{\"text\": \"   \"}\n",
        "   \r\n",
        "{\"text\": \"Second story.\", \"id\": 7}\n",
        "{\"text\": \"No id here.\"}",
    );
    let p = write(dir.path(), "mixed.jsonl", body.as_bytes());
    let results: Vec<_> = loader().open(&p).collect();
    let summary: Vec<String> = results
        .iter()
        .map(|r| match r {
            Ok(d) => format!(
                "ok {} line {:?} record {:?}",
                d.id, d.source.line, d.source.record
            ),
            Err(e) => format!("err line {:?} record {:?}: {}", e.line, e.record, e.message),
        })
        .collect();
    let expected_prefixes = [
        "ok ok1 line Some(1) record Some(1)",
        "err line Some(3) record Some(2): malformed JSON",
        "err line Some(4) record Some(3): record is not a JSON object (found array)",
        "err line Some(5) record Some(4): missing text field `text`",
        "err line Some(6) record Some(5): text field `text` is null",
        "err line Some(7) record Some(6): text field `text` is not a string (found number)",
        "err line Some(8) record Some(7): text field `text` is empty",
        "ok 7 line Some(10) record Some(8)",
        "ok mixed#9 line Some(11) record Some(9)",
    ];
    assert_eq!(summary.len(), expected_prefixes.len(), "{summary:#?}");
    for (got, want) in summary.iter().zip(expected_prefixes) {
        assert!(got.starts_with(want), "{got} / {want}");
    }
    let err = results[1].as_ref().unwrap_err();
    assert!(
        err.to_string().contains("mixed.jsonl:3 (record 2)"),
        "{err}"
    );
}

#[test]
fn nested_fields_lists_and_extras_are_mapped() {
    let dir = tempfile::tempdir().unwrap();
    let record = json!({
        "uid": "n-1",
        "article": {"body": "Body text.", "lang": "en"},
        "title": "  Headline  ",
        "author": ["Ann Lee", "Bo Chen"],
        "source": {"id": null, "name": "Daily Planet"},
        "url": "https://example.com/a",
        "tags": ["x"],
    });
    let p = write(dir.path(), "n.ndjson", format!("{record}\n").as_bytes());
    let l = JsonlLoader::new(JsonlLoaderConfig {
        text_field: "article.body".into(),
        id_field: "uid".into(),
        outlet_field: "source.name".into(),
        language_field: "article.lang".into(),
        ..JsonlLoaderConfig::default()
    });
    let d = l.open(&p).next().unwrap().unwrap();
    assert_eq!(d.id, "n-1");
    assert_eq!(d.text, "Body text.");
    assert_eq!(d.meta.headline.as_deref(), Some("Headline"));
    assert_eq!(d.meta.byline.as_deref(), Some("Ann Lee, Bo Chen"));
    assert_eq!(d.meta.outlet.as_deref(), Some("Daily Planet"));
    assert_eq!(d.meta.language.as_deref(), Some("en"));
    assert_eq!(d.meta.url.as_deref(), Some("https://example.com/a"));
    assert_eq!(d.meta.extra["tags"], json!(["x"]));
    assert_eq!(d.meta.extra["source"], json!({"id": null}));
    assert!(!d.meta.extra.contains_key("title"));

    let bare = JsonlLoader::new(JsonlLoaderConfig {
        text_field: "article.body".into(),
        keep_extra_fields: false,
        headline_field: String::new(),
        ..JsonlLoaderConfig::default()
    });
    let d = bare.open(&p).next().unwrap().unwrap();
    assert!(d.meta.extra.is_empty());
    assert_eq!(d.meta.headline, None);
    assert_eq!(d.id, "n#1");
}

#[test]
fn non_text_metadata_value_stays_in_extra() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "m.jsonl",
        br#"{"text": "T.", "author": {"name": "Z"}, "date": null}"#,
    );
    let d = loader().open(&p).next().unwrap().unwrap();
    assert_eq!(d.meta.byline, None);
    assert_eq!(d.meta.extra["author"], json!({"name": "Z"}));
    assert!(!d.meta.extra.contains_key("date"));
}

#[test]
fn bom_crlf_and_invalid_utf8_lines() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "b.jsonl",
        b"\xef\xbb\xbf{\"text\": \"one\"}\r\n{\"text\": \"t\xffwo\"}\r\n{\"text\": \"three\"}\r\n",
    );
    let r: Vec<_> = loader().open(&p).collect();
    assert_eq!(r[0].as_ref().unwrap().text, "one");
    assert_eq!(r[1].as_ref().unwrap_err().line, Some(2));
    assert_eq!(r[2].as_ref().unwrap().text, "three");

    let lenient = JsonlLoader::new(JsonlLoaderConfig {
        invalid_utf8: copydesk_load::InvalidUtf8::Replace,
        ..JsonlLoaderConfig::default()
    });
    let r: Vec<_> = lenient.open(&p).collect();
    assert_eq!(r[1].as_ref().unwrap().text, "t\u{fffd}wo");
}

#[test]
fn overlong_line_is_an_error_and_the_next_line_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("{{\"text\": \"{}\"}}\n", "x".repeat(500));
    let p = write(
        dir.path(),
        "l.jsonl",
        format!("{long}{{\"text\": \"short\"}}\n").as_bytes(),
    );
    let l = JsonlLoader::new(JsonlLoaderConfig {
        max_line_bytes: 100,
        ..JsonlLoaderConfig::default()
    });
    let r: Vec<_> = l.open(&p).collect();
    let e = r[0].as_ref().unwrap_err();
    assert!(e.message.contains("max_line_bytes"), "{e}");
    assert_eq!((e.line, e.record), (Some(1), Some(1)));
    let d = r[1].as_ref().unwrap();
    assert_eq!((d.text.as_str(), d.source.line), ("short", Some(2)));
}

#[test]
fn truncated_gzip_keeps_earlier_records_then_reports_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let mut plain = String::new();
    for i in 1..=3000 {
        plain.push_str(&format!(
            "{{\"id\": \"d{i}\", \"text\": \"Story number {i} with some words.\"}}\n"
        ));
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(plain.as_bytes()).unwrap();
    let full = enc.finish().unwrap();
    let p = write(dir.path(), "cut.jsonl.gz", &full[..full.len() / 2]);
    let r: Vec<_> = loader().open(&p).collect();
    let (last, docs) = r.split_last().unwrap();
    assert!(docs.len() > 100 && docs.len() < 3000, "{}", docs.len());
    for (i, d) in docs.iter().enumerate() {
        assert_eq!(d.as_ref().unwrap().id, format!("d{}", i + 1));
    }
    let e = last.as_ref().unwrap_err();
    assert!(e.to_string().contains("cut.jsonl.gz"), "{e}");
    assert!(e.line.is_some_and(|l| l as usize > docs.len()), "{e}");
}

#[test]
fn missing_file_is_one_error() {
    let r: Vec<_> = loader().open(Path::new("/no/such.jsonl")).collect();
    assert_eq!(r.len(), 1);
    assert!(r[0].as_ref().unwrap_err().message.contains("cannot read"));
}

#[test]
fn accepts_jsonl_and_ndjson_through_compression() {
    let l = loader();
    for yes in ["a.jsonl", "a.ndjson", "a.jsonl.gz", "b/A.JSONL.zst"] {
        assert!(l.accepts(Path::new(yes)), "{yes}");
    }
    for no in ["a.json", "a.txt", "a.gz", "jsonl"] {
        assert!(!l.accepts(Path::new(no)), "{no}");
    }
}

#[test]
fn lines_across_the_read_buffer_are_read_whole() {
    // Lines of growing length, some blank, some with `\r\n`, some too long:
    // many end inside the reader's buffer and many run past its end.
    let dir = tempfile::tempdir().unwrap();
    let mut file = Vec::new();
    let mut want = Vec::new();
    for i in 0..1500usize {
        let line = i + 1;
        match i % 7 {
            0 => file.extend_from_slice(b"  \r\n"),
            1 => {
                file.extend_from_slice(
                    format!("{{\"text\": \"{}\"}}\n", "y".repeat(600)).as_bytes(),
                );
                want.push(Err(line));
            }
            _ => {
                let text = format!("{i}:{}", "w\\n".repeat(i % 97 * 3));
                let end = if i % 2 == 0 { "\r\n" } else { "\n" };
                let record = format!("{{\"text\": \"{text}\"}}");
                file.extend_from_slice(format!("{record}{end}").as_bytes());
                want.push(if record.len() > 500 {
                    Err(line)
                } else {
                    Ok((line, text.replace("\\n", "\n")))
                });
            }
        }
    }
    let p = write(dir.path(), "b.jsonl", &file);
    let l = JsonlLoader::new(JsonlLoaderConfig {
        max_line_bytes: 500,
        ..JsonlLoaderConfig::default()
    });
    let got: Vec<Result<(usize, String), usize>> = l
        .open(&p)
        .map(|r| match r {
            Ok(d) => Ok((d.source.line.unwrap() as usize, d.text)),
            Err(e) => Err(e.line.unwrap() as usize),
        })
        .collect();
    assert_eq!(got, want);
}
