//! Tags one text file with every stage and prints each annotation with its
//! text, one per line: `cargo run -p copydesk-tag --example tag_text -- FILE [LAYER]`.

use copydesk_core::{BuiltStage, Document, Source};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: tag_text FILE [LAYER]");
        std::process::exit(2);
    };
    let only = args.next();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let mut doc = Document::new("doc", Source::default(), text);
    for f in copydesk_tag::factories() {
        match (f.build)(&(f.defaults)()) {
            Ok(BuiltStage::Document(stage)) => {
                if let Err(e) = stage.process(&mut doc) {
                    eprintln!("{}: {e}", f.name);
                }
            }
            Ok(_) => eprintln!("{}: not a document stage", f.name),
            Err(e) => eprintln!("{}: {e}", f.name),
        }
    }
    for (layer, annotations) in &doc.tags {
        if only.as_deref().is_some_and(|l| l != layer) || layer == "tokens" && only.is_none() {
            continue;
        }
        for a in annotations {
            let span = doc
                .text
                .get(a.start..a.end)
                .unwrap_or("")
                .replace('\n', " ");
            let attrs = serde_json::to_string(&a.attrs).unwrap_or_default();
            println!("{layer}\t{}\t{span}\t{attrs}", a.label);
        }
    }
}
