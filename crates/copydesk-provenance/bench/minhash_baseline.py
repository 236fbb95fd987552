#!/usr/bin/env python3
"""MinHash LSH near-duplicate baseline, as most text pipelines use it.

Word 5-gram shingles, 128 permutations, datasketch's MinHashLSH at a
Jaccard threshold (default 0.5). Reads documents as JSON lines
({"id", "text"}), writes the candidate pairs it reports as JSON lines
({"a", "b", "jaccard"}) and prints one JSON summary line (documents,
pairs, seconds spent shingling, hashing, indexing and querying, peak RSS).

    pip install datasketch
    python3 minhash_baseline.py docs.jsonl pairs.jsonl [--threshold 0.5]
"""
import argparse
import json
import re
import resource
import sys
import time

try:
    from datasketch import MinHash, MinHashLSH
except ImportError:  # pragma: no cover - reported to the caller
    print(json.dumps({"error": "datasketch is not installed (pip install datasketch)"}))
    sys.exit(2)

WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text, n=5):
    words = [w.lower() for w in WORD.findall(text)]
    if len(words) < n:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("docs")
    ap.add_argument("pairs")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--perms", type=int, default=128)
    args = ap.parse_args()

    docs = []
    with open(args.docs, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                docs.append((d["id"], d["text"]))

    start = time.perf_counter()
    lsh = MinHashLSH(threshold=args.threshold, num_perm=args.perms)
    sketches = {}
    for doc_id, text in docs:
        m = MinHash(num_perm=args.perms)
        for s in shingles(text):
            m.update(s.encode("utf-8"))
        sketches[doc_id] = m
        lsh.insert(doc_id, m)
    pairs = set()
    for doc_id, m in sketches.items():
        for other in lsh.query(m):
            if other != doc_id:
                pairs.add(tuple(sorted((doc_id, other))))
    elapsed = time.perf_counter() - start

    with open(args.pairs, "w", encoding="utf-8") as out:
        for a, b in sorted(pairs):
            j = sketches[a].jaccard(sketches[b])
            out.write(json.dumps({"a": a, "b": b, "jaccard": j}) + "\n")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "documents": len(docs),
        "pairs": len(pairs),
        "seconds": elapsed,
        "peak_rss_mib": peak_kib / 1024.0,
        "threshold": args.threshold,
        "perms": args.perms,
    }))


if __name__ == "__main__":
    main()
