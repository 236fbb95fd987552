use std::io::BufRead;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let skip: usize = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(0);
    let n: usize = std::env::args().nth(3).map(|s| s.parse().unwrap()).unwrap_or(10);
    let f = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut k = 0;
    for line in f.lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let Some(t) = v["text"].as_str() else { continue };
        k += 1;
        if k <= skip { continue; }
        if k > skip + n { break; }
        println!("=== {} {:?}", v["id"], v["dateline"]);
        println!("{}", copydesk_clean::unwrap_text(t));
    }
}
