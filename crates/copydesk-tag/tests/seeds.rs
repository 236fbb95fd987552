//! Example tests on the seed articles and a Reuters-21578 story, running
//! every stage in pipeline order the way the runner does.

use copydesk_core::{Annotation, BuiltStage, Document, Source};
use std::io::BufRead;

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds");
const REUTERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/reuters21578/reuters21578.jsonl"
);

fn seed(prefix: &str) -> String {
    let dir = std::fs::read_dir(SEEDS).expect("seeds directory");
    let path = dir
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".txt"))
        })
        .unwrap_or_else(|| panic!("no seed {prefix}*.txt"));
    std::fs::read_to_string(path).expect("readable seed")
}

/// What the layout cleaner does before tagging, done by hand for the two
/// seeds: drop the lines up to and including the byline or dateline line,
/// drop page debris, and separate paragraphs with blank lines.
fn clean_body(raw: &str) -> String {
    let lines: Vec<&str> = raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let body_start = lines
        .iter()
        .position(|l| l.ends_with(':') && l.len() < 30 || l.starts_with("By "))
        .map_or(0, |k| k + 1);
    lines[body_start..]
        .iter()
        .filter(|l| !l.starts_with("Load Next Story"))
        .copied()
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn tag(text: String) -> Document {
    let mut doc = Document::new("d", Source::default(), text);
    for f in copydesk_tag::factories() {
        let Ok(BuiltStage::Document(stage)) = (f.build)(&(f.defaults)()) else {
            panic!("{} does not build", f.name);
        };
        stage.process(&mut doc).expect("stage runs");
    }
    doc
}

fn attr<'a>(a: &'a Annotation, key: &str) -> Option<&'a str> {
    a.attrs.get(key).and_then(|v| v.as_str())
}

fn span<'a>(doc: &'a Document, a: &Annotation) -> &'a str {
    &doc.text[a.start..a.end]
}

fn find_quote<'a>(doc: &'a Document, direct: bool, contains: &str) -> &'a Annotation {
    doc.layer("quotes")
        .iter()
        .find(|q| q.attrs["direct"] == direct && span(doc, q).contains(contains))
        .unwrap_or_else(|| {
            panic!(
                "no {} quote containing {contains:?}: {:#?}",
                if direct { "direct" } else { "reported" },
                doc.layer("quotes")
            )
        })
}

fn assert_speaker(a: &Annotation, speaker: &str, cue: &str, kind: &str) {
    assert_eq!(attr(a, "speaker"), Some(speaker), "{a:?}");
    assert_eq!(attr(a, "cue"), Some(cue), "{a:?}");
    assert_eq!(attr(a, "speaker_type"), Some(kind), "{a:?}");
}

fn find_number<'a>(doc: &'a Document, text: &str) -> &'a Annotation {
    doc.layer("numbers")
        .iter()
        .find(|n| span(doc, n) == text)
        .unwrap_or_else(|| {
            let all: Vec<&str> = doc.layer("numbers").iter().map(|n| span(doc, n)).collect();
            panic!("no number {text:?} in {all:?}")
        })
}

fn value(a: &Annotation) -> Option<f64> {
    a.attrs.get("value").and_then(|v| v.as_f64())
}

fn has_entity(doc: &Document, text: &str, label: &str) -> bool {
    doc.layer("entities")
        .iter()
        .any(|e| span(doc, e) == text && e.label == label)
}

#[test]
fn republished_story_quotes_and_speakers() {
    let doc = tag(clean_body(&seed("001_")));
    assert!(doc.text.starts_with("Beijing is pushing Islamabad"));
    let q = find_quote(
        &doc,
        true,
        "They (Chinese) want to bring in their own security",
    );
    assert_speaker(q, "one official", "said", "anonymous");
    let s = q.attrs["speaker_start"].as_u64().unwrap_or_default() as usize;
    let e = q.attrs["speaker_end"].as_u64().unwrap_or_default() as usize;
    assert_eq!(&doc.text[s..e], "one official");

    let q = find_quote(&doc, true, "China will continue to strengthen");
    assert_speaker(
        q,
        "A spokesman for China's foreign ministry",
        "added",
        "named_role",
    );
    let q = find_quote(&doc, false, "it was not familiar with talks");
    assert_speaker(
        q,
        "A spokesman for China's foreign ministry",
        "told",
        "named_role",
    );
    let q = find_quote(&doc, true, "inside help");
    assert_speaker(q, "The official", "said", "anonymous");
    let q = find_quote(
        &doc,
        false,
        "Pakistani agencies were averse to the proposal",
    );
    assert_speaker(q, "one official", "said", "anonymous");
    let q = find_quote(&doc, false, "both sides agreed to develop a joint strategy");
    assert_speaker(q, "the interior ministry", "said", "organization");
    let q = find_quote(&doc, false, "Beijing is pushing Islamabad");
    assert_speaker(q, "sources", "said", "anonymous");
}

#[test]
fn republished_story_numbers_and_entities() {
    let doc = tag(clean_body(&seed("001_")));
    let five = find_number(&doc, "five");
    assert_eq!(
        (value(five), attr(five, "counted")),
        (Some(5.0), Some("sources"))
    );
    let two = doc
        .layer("numbers")
        .iter()
        .find(|n| span(&doc, n) == "two" && attr(n, "counted") == Some("engineers"));
    assert!(two.is_some(), "{:?}", doc.layer("numbers"));
    let thousands = find_number(&doc, "thousands");
    assert_eq!(value(thousands), Some(1000.0));
    assert_eq!(attr(thousands, "counted"), Some("citizens"));
    for (text, label) in [
        ("Karachi", "GPE"),
        ("Pakistan", "GPE"),
        ("Chinese", "NORP"),
        ("Reuters", "ORG"),
        ("Inter-Services Public Relations", "ORG"),
        ("ISPR", "ORG"),
        ("Thailand", "GPE"),
    ] {
        assert!(
            has_entity(&doc, text, label),
            "{text} {label}: {:?}",
            doc.layer("entities")
        );
    }
    let dates: Vec<&str> = doc.layer("dates").iter().map(|d| span(&doc, d)).collect();
    assert!(
        dates.contains(&"last week") && dates.contains(&"a month"),
        "{dates:?}"
    );
}

#[test]
fn spun_story_quotes_and_numbers() {
    let doc = tag(clean_body(&seed("000_")));
    assert!(doc.text.starts_with("ISLAMABAD (Reuters)"));
    let q = find_quote(
        &doc,
        true,
        "They (Chinese) want to bring in their own security",
    );
    assert_speaker(q, "one official", "mentioned", "anonymous");
    let q = find_quote(&doc, true, "It was a grave security breach");
    assert_speaker(
        q,
        "one of many officers investigating the bombing",
        "admitted",
        "anonymous",
    );
    let q = find_quote(&doc, true, "China will continue");
    assert_speaker(
        q,
        "A spokesman for China’s overseas ministry",
        "added",
        "named_role",
    );
    let q = find_quote(&doc, false, "it was not accustomed to talks");
    assert_speaker(
        q,
        "A spokesman for China’s overseas ministry",
        "informed",
        "named_role",
    );
    let q = find_quote(&doc, false, "the Chinese language aspect supplied proof");
    assert_speaker(q, "three officers", "mentioned", "anonymous");

    let kg = find_number(&doc, "100 kg");
    assert_eq!((value(kg), attr(kg, "unit")), (Some(100.0), Some("kg")));
    assert_eq!(attr(kg, "approximation"), Some("practically"));
    let lbs = find_number(&doc, "220 lbs");
    assert_eq!((value(lbs), attr(lbs, "unit")), (Some(220.0), Some("lbs")));
    let money = find_number(&doc, "$65-billion");
    assert_eq!(money.label, "money");
    assert_eq!(
        (value(money), attr(money, "currency")),
        (Some(65e9), Some("USD"))
    );
    let k = find_number(&doc, "1000’s");
    assert_eq!(
        (value(k), attr(k, "counted")),
        (Some(1000.0), Some("residents"))
    );
    assert_eq!(k.attrs.get("vague").and_then(|v| v.as_bool()), Some(true));
    let five = find_number(&doc, "5");
    assert_eq!(
        (value(five), attr(five, "counted")),
        (Some(5.0), Some("sources"))
    );
    let hundreds = find_number(&doc, "Hundreds");
    assert_eq!(attr(hundreds, "counted"), Some("officers"));
    let minutes = find_number(&doc, "40 minutes");
    assert_eq!(attr(minutes, "approximation"), Some("about"));
    assert!(
        has_entity(&doc, "Li Qiang", "PERSON") && has_entity(&doc, "Xi Jinping", "PERSON"),
        "{:?}",
        doc.layer("entities")
    );
    assert!(has_entity(&doc, "ISLAMABAD", "GPE"));
    let decade = doc
        .layer("dates")
        .iter()
        .find(|d| span(&doc, d) == "a decade")
        .and_then(|d| attr(d, "normalized"));
    assert_eq!(decade, Some("P10Y"));
}

#[test]
fn sentences_of_the_seeds_are_sane() {
    for prefix in ["000_", "001_"] {
        let doc = tag(clean_body(&seed(prefix)));
        let sentences = doc.layer("sentences");
        assert!(sentences.len() > 15, "{prefix}: {}", sentences.len());
        for s in sentences {
            let text = span(&doc, s);
            assert!(
                !text.contains("\n\n"),
                "{prefix}: paragraph inside {text:?}"
            );
            assert!(
                !text.ends_with("Dr.") && !text.ends_with("U.S.") && !text.ends_with("Mr."),
                "{text:?}"
            );
        }
    }
}

#[test]
fn reuters_cocoa_story_numbers_and_dates() {
    let Ok(file) = std::fs::File::open(REUTERS) else {
        eprintln!("skipped: {REUTERS} is not there");
        return;
    };
    let Some(Ok(line)) = std::io::BufReader::new(file).lines().next() else {
        panic!("empty {REUTERS}");
    };
    let record: serde_json::Value = serde_json::from_str(&line).expect("JSON record");
    let text = record["text"].as_str().expect("text field").to_string();
    let doc = tag(text);
    let bags = find_number(&doc, "155,221 bags");
    assert_eq!(
        (value(bags), attr(bags, "unit")),
        (Some(155221.0), Some("bags"))
    );
    assert_eq!(value(find_number(&doc, "5.93\nmln")), Some(5.93e6));
    let range = find_number(&doc, "340 to 350\ncruzados");
    assert_eq!(range.label, "money");
    assert_eq!(range.attrs["value_max"].as_f64(), Some(350.0));
    assert_eq!(attr(range, "currency"), Some("BRC"));
    let dates: Vec<(&str, Option<&str>)> = doc
        .layer("dates")
        .iter()
        .map(|d| (span(&doc, d), attr(d, "normalized")))
        .collect();
    assert!(
        dates.contains(&("February 22", Some("--02-22"))),
        "{dates:?}"
    );
    let q = find_quote(&doc, false, "there is still some doubt");
    assert_eq!(attr(q, "speaker"), Some("Comissaria Smith"));
}
