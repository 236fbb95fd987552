//! `load.warc.v1`, the WARC reader and the WARC writer.

use copydesk_core::{Document, LoadError, LoadStage};
use copydesk_load::warc_reader::WarcReader;
use copydesk_load::warc_writer::{WarcWriter, http_html_response, write_warc_record};
use copydesk_load::{WarcLoader, WarcLoaderConfig};
use proptest::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

fn loader() -> WarcLoader {
    WarcLoader::new(WarcLoaderConfig::default()).unwrap()
}

fn article(topic: &str) -> String {
    let para = |n: usize| {
        format!(
            "<p>Paragraph {n} about {topic}: the committee met on Tuesday and agreed a detailed plan after officials presented figures on costs, schedules and the expected benefits for residents of the region.</p>"
        )
    };
    format!(
        "<html><head><title>{topic}</title><meta property=\"og:title\" content=\"News on {topic}\"></head><body><nav><a href='/'>Home</a></nav><article><h1>News on {topic}</h1>{}{}{}</article></body></html>",
        para(1),
        para(2),
        para(3)
    )
}

/// A small crawl: warcinfo, then request/response/metadata per page, plus
/// an image, a redirect and a 404.
fn crawl(gzip_per_record: bool) -> Vec<u8> {
    let mut w = WarcWriter::new(Vec::new(), gzip_per_record);
    w.write_warcinfo("test crawl").unwrap();
    for (i, topic) in ["rivers", "bridges"].iter().enumerate() {
        let uri = format!("https://news.example.org/{topic}");
        let date = format!("2024-01-0{}T10:00:00Z", i + 1);
        w.write_request(&uri, &date).unwrap();
        w.write_html_response(&uri, &date, article(topic).as_bytes())
            .unwrap();
        w.write_record(
            "metadata",
            &[
                ("WARC-Target-URI", &uri),
                ("Content-Type", "application/warc-fields"),
            ],
            b"fetchTimeMs: 12\r\n",
        )
        .unwrap();
    }
    let image = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG....";
    w.write_record(
        "response",
        &[
            ("WARC-Target-URI", "https://news.example.org/logo.png"),
            ("Content-Type", "application/http; msgtype=response"),
        ],
        image,
    )
    .unwrap();
    for (status, uri) in [
        ("301 Moved", "https://news.example.org/old"),
        ("404 Not Found", "https://news.example.org/gone"),
    ] {
        let block = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/html\r\n\r\n<html><body><p>nothing here</p></body></html>"
        );
        w.write_record(
            "response",
            &[
                ("WARC-Target-URI", uri),
                ("Content-Type", "application/http; msgtype=response"),
            ],
            block.as_bytes(),
        )
        .unwrap();
    }
    w.finish().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn gzip_whole(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn docs_and_errors(l: &WarcLoader, p: &Path) -> (Vec<Document>, Vec<LoadError>) {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for r in l.open(p) {
        match r {
            Ok(d) => docs.push(d),
            Err(e) => errors.push(e),
        }
    }
    (docs, errors)
}

#[test]
fn html_responses_become_documents_and_the_rest_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let variants = [
        ("plain.warc", crawl(false)),
        ("per-record.warc.gz", crawl(true)),
        ("whole.warc.gz", gzip_whole(&crawl(false))),
        ("no-suffix.warc", crawl(true)),
    ];
    for (name, bytes) in variants {
        let l = loader();
        let p = write(dir.path(), name, &bytes);
        assert!(l.accepts(&p), "{name}");
        let (docs, errors) = docs_and_errors(&l, &p);
        assert!(errors.is_empty(), "{name}: {errors:?}");
        assert_eq!(docs.len(), 2, "{name}");
        let stem = copydesk_load::compression::id_stem(&p);
        let d = &docs[0];
        assert_eq!(d.id, format!("{stem}#3"));
        assert_eq!(d.source.record, Some(3));
        assert_eq!(
            d.meta.url.as_deref(),
            Some("https://news.example.org/rivers")
        );
        assert_eq!(d.meta.date.as_deref(), Some("2024-01-01T10:00:00Z"));
        assert_eq!(d.meta.extra["warc_date"], "2024-01-01T10:00:00Z");
        assert!(
            d.meta.extra["warc_record_id"]
                .as_str()
                .unwrap()
                .starts_with("<urn:uuid:")
        );
        assert_eq!(d.meta.headline.as_deref(), Some("News on rivers"));
        assert!(d.text.contains("Paragraph 2 about rivers"), "{}", d.text);
        assert!(!d.text.contains("Home"));
        assert_eq!(docs[1].id, format!("{stem}#6"));
        assert!(docs[1].text.contains("about bridges"));

        let c = l.counts();
        assert_eq!(
            (c.records, c.documents, c.errors),
            (10, 2, 0),
            "{name}: {c:?}"
        );
        assert_eq!(c.skipped["type:warcinfo"], 1);
        assert_eq!(c.skipped["type:request"], 2);
        assert_eq!(c.skipped["type:metadata"], 2);
        assert_eq!(c.skipped["not_html:image/png"], 1);
        assert_eq!(c.skipped["status:301"], 1);
        assert_eq!(c.skipped["status:404"], 1);
        assert_eq!(c.skipped_total(), 8);
        // The same counts reach the run summary through the stage API.
        let through_api = LoadStage::skipped(&l);
        assert_eq!(through_api, c.skipped, "{name}");
    }
}

/// A plain WARC of `n` HTML responses, with record `bad`'s Content-Length
/// changed by `delta`.
fn with_wrong_length(n: usize, bad: usize, delta: i64) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 1..=n {
        let block = http_html_response(article(&format!("topic {i}")).as_bytes());
        let mut rec = Vec::new();
        write_warc_record(
            &mut rec,
            "response",
            &[("WARC-Target-URI", &format!("https://x.example/{i}"))],
            &block,
        )
        .unwrap();
        if i == bad {
            let right = format!("Content-Length: {}\r\n", block.len());
            let wrong = format!("Content-Length: {}\r\n", block.len() as i64 + delta);
            let text = String::from_utf8(rec).unwrap().replacen(&right, &wrong, 1);
            rec = text.into_bytes();
        }
        out.extend_from_slice(&rec);
    }
    out
}

#[test]
fn wrong_content_length_is_reported_and_reading_resumes() {
    let dir = tempfile::tempdir().unwrap();
    for delta in [-300i64, -1, 7, 900] {
        let p = write(dir.path(), "bad.warc", &with_wrong_length(4, 2, delta));
        let (docs, errors) = docs_and_errors(&loader(), &p);
        assert_eq!(errors.len(), 1, "delta {delta}: {errors:?}");
        let e = &errors[0];
        assert_eq!(e.record, Some(2), "delta {delta}: {e}");
        assert!(e.message.contains("Content-Length"), "{e}");
        assert!(e.to_string().contains("bad.warc"), "{e}");
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["bad#1", "bad#3", "bad#4"], "delta {delta}");
        assert!(docs[1].text.contains("topic 3"));
    }
}

#[test]
fn truncated_gzip_keeps_earlier_documents() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = WarcWriter::new(Vec::new(), true);
    for i in 0..20 {
        w.write_html_response(
            &format!("https://x.example/{i}"),
            "2024-01-01T00:00:00Z",
            article(&format!("item {i}")).as_bytes(),
        )
        .unwrap();
    }
    let full = w.finish().unwrap();
    let p = write(dir.path(), "cut.warc.gz", &full[..full.len() * 2 / 3]);
    let (docs, errors) = docs_and_errors(&loader(), &p);
    assert!(docs.len() >= 10 && docs.len() < 20, "{}", docs.len());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].to_string().contains("cut.warc.gz"),
        "{}",
        errors[0]
    );
}

#[test]
fn garbage_and_broken_headers_are_errors_between_good_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"this is not a warc file\r\n".to_vec();
    bytes.extend(with_wrong_length(1, 0, 0));
    bytes.extend_from_slice(
        b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: many\r\n\r\nxx\r\n\r\n",
    );
    bytes.extend(with_wrong_length(1, 0, 0));
    let p = write(dir.path(), "g.warc", &bytes);
    let (docs, errors) = docs_and_errors(&loader(), &p);
    assert_eq!(docs.len(), 2, "{errors:?}");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].message.contains("garbage"), "{}", errors[0]);
    assert!(
        errors[1].message.contains("invalid Content-Length"),
        "{}",
        errors[1]
    );
    assert_eq!(errors[1].record, Some(2));
    assert_eq!(docs[1].source.record, Some(3));
}

#[test]
fn oversized_html_record_is_an_error_and_others_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "big.warc", &with_wrong_length(3, 0, 0));
    let small = WarcLoader::new(WarcLoaderConfig {
        max_record_bytes: 100,
        ..WarcLoaderConfig::default()
    })
    .unwrap();
    let (docs, errors) = docs_and_errors(&small, &p);
    assert!(docs.is_empty());
    assert_eq!(errors.len(), 3);
    assert!(
        errors
            .iter()
            .all(|e| e.message.contains("max_record_bytes"))
    );
}

#[test]
fn legacy_encoding_in_http_header_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let html = "<html><body><article><p>Die Bürger der Stadt äußerten ihre Sorgen über die Straßenbahn, die seit Wochen nicht mehr fährt, und über die Preise.</p><p>Der Bürgermeister versprach eine Lösung für die Pendler und eine schnelle Reparatur der Strecke bis zum Frühjahr.</p></article></body></html>";
    let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(html);
    let mut block =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=ISO-8859-1\r\n\r\n".to_vec();
    block.extend_from_slice(&latin);
    let mut w = WarcWriter::new(Vec::new(), false);
    w.write_record(
        "response",
        &[("WARC-Target-URI", "https://de.example/")],
        &block,
    )
    .unwrap();
    let p = write(dir.path(), "de.warc", &w.finish().unwrap());
    let (docs, errors) = docs_and_errors(&loader(), &p);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        docs[0].text.contains("Die Bürger der Stadt äußerten"),
        "{}",
        docs[0].text
    );
}

/// A record header cut off at the end of the file was read again and again
/// (found by the property test below): reading must end, with an error.
#[test]
fn a_header_cut_off_at_the_end_ends_reading() {
    for content in [
        &b"WARC/1.0"[..],
        b"WARC/1.0\r\nWARC-Type: response\r\nContent-Len",
        b"garbage\nWARC/1.0",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "cut.warc", content);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let items: Vec<_> = loader().open(&p).collect();
            let _ = tx.send(items.iter().filter(|i| i.is_err()).count());
        });
        let errors = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .unwrap_or_else(|_| {
                panic!(
                    "reading {:?} does not end",
                    String::from_utf8_lossy(content)
                )
            });
        assert!(
            errors >= 1,
            "{:?} gives an error",
            String::from_utf8_lossy(content)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn records_round_trip_through_writer_and_reader(
        blocks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..6),
        gzip in any::<bool>(),
    ) {
        let mut w = WarcWriter::new(Vec::new(), gzip);
        for b in &blocks {
            w.write_record("resource", &[("Content-Type", "application/octet-stream")], b).unwrap();
        }
        let bytes = w.finish().unwrap();
        let decoded = copydesk_load::compression::decode(std::io::Cursor::new(bytes)).unwrap();
        let records: Vec<_> = WarcReader::new(decoded, 1 << 20).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(records.len(), blocks.len());
        for (i, (r, b)) in records.iter().zip(&blocks).enumerate() {
            prop_assert_eq!(&r.block, b);
            prop_assert_eq!(r.number, i as u64 + 1);
            prop_assert_eq!(r.warc_type(), "resource");
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_warc_loader(
        bytes in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..400),
            // Damaged copies of a real archive.
            (0usize..2000, any::<u8>(), 0usize..2000).prop_map(|(at, byte, cut)| {
                let mut b = with_wrong_length(2, 0, 0);
                let at = at % b.len();
                b[at] = byte;
                b.truncate(b.len() - cut.min(b.len()));
                b
            }),
        ]
    ) {
        let dir = tempfile::tempdir().unwrap();
        let l = loader();
        for (name, content) in [
            ("a.warc", bytes.clone()),
            ("g.warc.gz", [&[0x1f, 0x8b][..], &bytes].concat()),
        ] {
            let p = write(dir.path(), name, &content);
            for d in l.open(&p).flatten() {
                prop_assert!(!d.text.trim().is_empty());
            }
        }
    }
}
