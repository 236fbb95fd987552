//! Reads WARC files record by record without extracting pages: the
//! reading half of `load.warc.v1` (decompression, record framing, HTTP
//! response parsing), to compare with other WARC readers (`fastwarc`).
//!
//! ```text
//! cargo run --release -p copydesk-load --example read_warc -- FILE...
//! ```
//!
//! Prints, per file, the records by type, the response bodies read and
//! their bytes, and the time taken.

use copydesk_load::compression::open_decoded;
use copydesk_load::http::parse_response;
use copydesk_load::warc_reader::WarcReader;
use std::collections::BTreeMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for file in std::env::args().skip(1) {
        let started = std::time::Instant::now();
        let reader = WarcReader::new(open_decoded(std::path::Path::new(&file))?, 64 << 20);
        let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
        let (mut bodies, mut body_bytes, mut errors) = (0u64, 0u64, 0u64);
        for record in reader {
            let Ok(record) = record else {
                errors += 1;
                continue;
            };
            let kind = record.warc_type();
            if kind == "response" {
                match parse_response(&record.block, 64 << 20) {
                    Ok(r) => {
                        bodies += 1;
                        body_bytes += r.body.len() as u64;
                    }
                    Err(_) => errors += 1,
                }
            }
            *by_type.entry(kind).or_default() += 1;
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{file}: {by_type:?}; {bodies} response bodies, {body_bytes} bytes; {errors} errors; {secs:.3} s ({:.0} responses/s)",
            bodies as f64 / secs.max(1e-9)
        );
    }
    Ok(())
}
