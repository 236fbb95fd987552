//! `load.jsonl.v1` reads records whose mapped fields are plain keys field
//! by field (`copydesk_load::record`); the document (or error) must be the
//! one the general reader through a whole `serde_json::Value` gives, for
//! any line and any field mapping.

use copydesk_core::Source;
use copydesk_load::decoding::InvalidUtf8;
use copydesk_load::{JsonlLoader, JsonlLoaderConfig};
use proptest::prelude::*;

/// Keys records are made of: the default mapped names, others, a dotted
/// one, one written with an escape, and odd ones.
const KEYS: &[&str] = &[
    "text",
    "id",
    "title",
    "author",
    "dateline",
    "date",
    "url",
    "source",
    "language",
    "topics",
    "body",
    "a.b",
    "te\\u0078t",
    "",
    "é",
];

/// A JSON value as written in a line (escapes, odd numbers and nesting
/// included; some not valid JSON, some rejected by `serde_json`).
fn value() -> impl Strategy<Value = String> {
    let good = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("\"\"".to_string()),
        Just("\"  \"".to_string()),
        Just("\"\\n\\t \"".to_string()),
        Just("\"\\ud83d\\ude00 smile\"".to_string()),
        Just("-0.5".to_string()),
        Just("18446744073709551616".to_string()),
        Just("-9223372036854775809".to_string()),
        Just("12".to_string()),
        "[ a-zA-Z0-9é.,\\-]{0,12}".prop_map(|s| format!("\"{s}\"")),
        " ?[a-z ]{1,20}\\\\n[a-z]{0,10} ?".prop_map(|s| format!("\"{s}\"")),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
    ];
    // Values `serde_json` rejects (a `Value` would not hold them).
    let bad = prop_oneof![
        Just("\"\\ud83d lone\"".to_string()),
        Just("\"\\udc00\"".to_string()),
        Just("\"bad \\x escape\"".to_string()),
        Just("\"raw\u{1}control\"".to_string()),
        Just("1e400".to_string()),
    ];
    let leaf = prop_oneof![20 => good, 1 => bad];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4)
                .prop_map(|v| format!("[{}]", v.join(","))),
            proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..3).prop_map(
                |v| {
                    let fields: Vec<String> =
                        v.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                    format!("{{{}}}", fields.join(","))
                }
            ),
        ]
    })
}

/// A line: mostly an object of fields (keys may repeat), sometimes another
/// value, sometimes cut or with a byte changed or trailing text.
fn line() -> impl Strategy<Value = Vec<u8>> {
    // Most objects hold a usable text somewhere among their fields.
    let good_text = prop_oneof![
        "[A-Za-z .,]{1,30}".prop_map(|s| format!("\"{s}\"")),
        "[a-z ]{1,20}".prop_map(|s| format!("\"{s}\\nsecond line\\t\\u00e9\"")),
    ];
    let object = (
        proptest::collection::vec((proptest::sample::select(KEYS), value()), 0..8),
        proptest::option::weighted(0.8, (good_text, any::<prop::sample::Index>())),
    )
        .prop_map(|(fields, text)| {
            let mut fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("\"{k}\" : {v}"))
                .collect();
            if let Some((text, at)) = text {
                fields.insert(at.index(fields.len() + 1), format!("\"text\":{text}"));
            }
            format!("{{{}}}", fields.join(", "))
        });
    let text = prop_oneof![6 => object, 1 => value()];
    (text, any::<u8>(), any::<prop::sample::Index>(), 0u8..16).prop_map(|(text, byte, at, how)| {
        let mut bytes = text.into_bytes();
        let i = at.index(bytes.len() + 1);
        match how {
            0 => bytes.truncate(i),
            1 if i < bytes.len() => bytes[i] = byte,
            2 => bytes.extend_from_slice(b"  \t"),
            3 => bytes.extend_from_slice(b" x"),
            _ => {}
        }
        bytes
    })
}

/// A mapping: the default one, or with names changed (empty, repeated,
/// dotted, other keys), extra fields kept or not, bad UTF-8 replaced or not.
fn config() -> impl Strategy<Value = JsonlLoaderConfig> {
    let name = proptest::sample::select(KEYS).prop_map(str::to_string);
    (
        proptest::collection::vec(proptest::option::of(name), 9),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(names, change, keep_extra, replace)| {
            let mut c = JsonlLoaderConfig::default();
            if change {
                let fields = [
                    &mut c.text_field,
                    &mut c.id_field,
                    &mut c.headline_field,
                    &mut c.byline_field,
                    &mut c.dateline_field,
                    &mut c.date_field,
                    &mut c.url_field,
                    &mut c.outlet_field,
                    &mut c.language_field,
                ];
                for (field, name) in fields.into_iter().zip(names) {
                    if let Some(name) = name {
                        *field = name;
                    }
                }
                if c.text_field.is_empty() {
                    c.text_field = "text".into();
                }
            }
            c.keep_extra_fields = keep_extra;
            c.invalid_utf8 = if replace {
                InvalidUtf8::Replace
            } else {
                InvalidUtf8::Error
            };
            c
        })
}

fn source() -> Source {
    Source {
        path: "f.jsonl".into(),
        record: Some(7),
        line: Some(9),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn field_by_field_reading_gives_the_general_readers_document(
        line in line(),
        config in config(),
    ) {
        let loader = JsonlLoader::new(config);
        let got = loader.parse_record(&line, "f", source());
        let want = loader.parse_record_via_value(&line, "f", source());
        prop_assert_eq!(got, want, "line {:?}", String::from_utf8_lossy(&line));
    }
}

#[test]
fn a_wire_record_reads_the_same_both_ways() {
    let line = br#"{"id": "r-1", "date": "26-FEB-1987", "title": " COCOA REVIEW ", "dateline": "SALVADOR, Feb 26 -", "topics": ["cocoa"], "author": ["A", null, "B"], "url": {"x": 1}, "text": "Showers continued\nthroughout the week.\n    Arrivals \u00e9 rose.", "text": "Showers continued\nthroughout the week."}"#;
    for keep_extra in [true, false] {
        let loader = JsonlLoader::new(JsonlLoaderConfig {
            keep_extra_fields: keep_extra,
            ..JsonlLoaderConfig::default()
        });
        let got = loader.parse_record(line, "f", source()).unwrap();
        assert_eq!(
            got,
            loader.parse_record_via_value(line, "f", source()).unwrap()
        );
        assert_eq!(got.text, "Showers continued\nthroughout the week.");
        assert_eq!(got.meta.headline.as_deref(), Some("COCOA REVIEW"));
        assert_eq!(got.meta.byline.as_deref(), Some("A, B"));
        assert_eq!(got.meta.extra.contains_key("url"), keep_extra);
        assert_eq!(got.meta.extra.contains_key("topics"), keep_extra);
    }
}
