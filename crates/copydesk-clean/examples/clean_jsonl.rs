//! Runs the three clean stages over a JSON-lines file of articles
//! (`{"id", "title", "dateline", "text"}`, as Reuters-21578 converted) and
//! prints what the layout cleaner removed, by kind.
//!
//! ```text
//! cargo run -p copydesk-clean --example clean_jsonl -- FILE [LIMIT] [--show]
//! ```
//!
//! `--show` also prints every cleaned document with its removed pieces;
//! `--inline` puts the title and dateline into the text as a web page
//! would show them (`TITLE\n\nDATELINE text...`) instead of passing them
//! as metadata, to exercise headline and dateline detection.

use copydesk_clean::{
    NewsLayoutCleaner, NewsLayoutConfig, UnicodeCleaner, UnicodeCleanerConfig, UnwrapConfig,
    Unwrapper,
};
use copydesk_core::{Document, DocumentStage, Source};
use std::collections::BTreeMap;
use std::io::BufRead;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: clean_jsonl FILE [LIMIT] [--show]")?;
    let limit: usize = args
        .get(1)
        .filter(|a| !a.starts_with("--"))
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(usize::MAX);
    let show = args.iter().any(|a| a == "--show");
    let inline = args.iter().any(|a| a == "--inline");

    let unicode = UnicodeCleaner::new(UnicodeCleanerConfig::default());
    let unwrap = Unwrapper::new(UnwrapConfig::default());
    let layout = NewsLayoutCleaner::new(NewsLayoutConfig::default())?;

    let mut docs = 0usize;
    let mut body_chars = 0usize;
    let mut removed_chars: BTreeMap<String, usize> = BTreeMap::new();
    let mut removed_count: BTreeMap<String, usize> = BTreeMap::new();
    for line in std::io::BufReader::new(std::fs::File::open(path)?).lines() {
        let record: serde_json::Value = serde_json::from_str(&line?)?;
        let Some(text) = record["text"].as_str() else {
            continue;
        };
        if docs == limit {
            break;
        }
        docs += 1;
        let id = record["id"].as_str().unwrap_or_default();
        let title = record["title"].as_str().map(str::to_string);
        let dateline = record["dateline"].as_str().map(str::to_string);
        let mut doc = if inline {
            let mut page = String::new();
            if let Some(t) = &title {
                page.push_str(t);
                page.push_str("\n\n");
            }
            if let Some(d) = &dateline {
                page.push_str(d);
                page.push(' ');
            }
            page.push_str(text);
            Document::new(id, Source::default(), page)
        } else {
            let mut doc = Document::new(id, Source::default(), text);
            doc.meta.headline = title;
            doc.meta.dateline = dateline;
            doc
        };
        unicode.process(&mut doc)?;
        unwrap.process(&mut doc)?;
        let before = doc.text.clone();
        let split = layout.split(&before, &doc.meta);
        body_chars += before.chars().count();
        for piece in &split.removed {
            let kind = format!("{:?}", piece.kind);
            *removed_chars.entry(kind.clone()).or_default() += piece.text.chars().count();
            *removed_count.entry(kind).or_default() += 1;
        }
        if show {
            println!(
                "=== {id} {:?} {:?}",
                split.meta.headline, split.meta.dateline
            );
            for piece in &split.removed {
                println!("  - {:?}: {}", piece.kind, piece.text);
            }
            println!("{}\n", split.body);
        }
    }
    println!("documents: {docs}, characters after unwrap: {body_chars}");
    for (kind, chars) in &removed_chars {
        println!(
            "removed {kind}: {} pieces, {chars} characters ({:.3}%)",
            removed_count[kind],
            100.0 * *chars as f64 / body_chars.max(1) as f64
        );
    }
    Ok(())
}
