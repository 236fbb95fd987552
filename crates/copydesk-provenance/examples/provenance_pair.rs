//! Explains what provenance makes of two texts: the anchor-shingle Jaccard
//! estimate, the aligned sentences, the substitutions and the verdict.
//!
//! ```text
//! cargo run -p copydesk-provenance --example provenance_pair -- A.txt B.txt
//! cargo run -p copydesk-provenance --example provenance_pair -- docs.jsonl ID_A ID_B
//! ```

use copydesk_provenance::align::{AlignParams, Prepared, align};
use copydesk_provenance::compare::{DecisionParams, Side, decide};
use copydesk_provenance::signature::{anchor_shingles, estimated_jaccard, minhash};
use copydesk_provenance::tokens::tokenize;

fn load(args: &[String]) -> Result<(String, String), Box<dyn std::error::Error>> {
    if args.len() == 3 {
        let mut found = (None, None);
        for line in std::fs::read_to_string(&args[0])?.lines() {
            let v: serde_json::Value = serde_json::from_str(line)?;
            let text = v["text"].as_str().unwrap_or_default().to_string();
            if v["id"] == args[1].as_str() {
                found.0 = Some(text);
            } else if v["id"] == args[2].as_str() {
                found.1 = Some(text);
            }
        }
        match found {
            (Some(a), Some(b)) => Ok((a, b)),
            _ => Err("ids not found".into()),
        }
    } else if args.len() == 2 {
        Ok((
            std::fs::read_to_string(&args[0])?,
            std::fs::read_to_string(&args[1])?,
        ))
    } else {
        Err("usage: pair A.txt B.txt | pair docs.jsonl ID_A ID_B".into())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (ta, tb) = load(&args)?;
    let sa = anchor_shingles(&tokenize(&ta), 3);
    let sb = anchor_shingles(&tokenize(&tb), 3);
    println!(
        "anchor shingles: {} vs {}; estimated Jaccard {:.3}",
        sa.len(),
        sb.len(),
        estimated_jaccard(&minhash(&sa, 128), &minhash(&sb, 128))
    );
    let (pa, pb) = (Prepared::new(&ta), Prepared::new(&tb));
    let al = align(&pa, &pb, &AlignParams::default());
    for p in &al.pairs {
        let (x, y) = (&pa.sentences[p.a], &pb.sentences[p.b]);
        println!(
            "[{:.2}] {} <-> {}",
            p.similarity,
            &ta[x.start..x.end],
            &tb[y.start..y.end]
        );
    }
    let side = |p, t, id| Side {
        prepared: p,
        text: t,
        date: None,
        id,
    };
    let v = decide(
        side(&pa, &ta, "a"),
        side(&pb, &tb, "b"),
        &al,
        &|_| 0,
        &DecisionParams::default(),
    );
    match v {
        Some(v) => println!(
            "verdict: {:?}, score {:.3}, copy is {}",
            v.kind,
            v.score,
            if v.copy_is_a { "a" } else { "b" }
        ),
        None => println!("verdict: unrelated"),
    }
    Ok(())
}
