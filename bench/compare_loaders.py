#!/usr/bin/env python3
"""Side-by-side speed of copydesk's loaders and the PyPI tools users would
otherwise pick, on the same files.

* HTML main-text extraction: `trafilatura` (PyPI) against copydesk's
  `load.html.v1` (the `load_files` example), over the article extraction
  benchmark's pages (gzip files read and decompressed by both). Both run
  on one thread. With `--f1`, trafilatura's F1 on the benchmark with the
  benchmark's own `evaluate.py`.
* WARC reading: `fastwarc` (PyPI) iterating the response records of the
  benchmark WARC and reading their bodies, against copydesk's WARC reader
  (the `read_warc` example: records and HTTP responses, no extraction), and
  copydesk's `load.warc.v1` (reading plus extraction of every page, the
  `load_files` example) against fastwarc + trafilatura on the first
  `--warc-extract` pages.

Setup (not in the repository):

    python3 -m venv /work/bench/venv
    /work/bench/venv/bin/pip install trafilatura fastwarc lxml_html_clean
    cargo build --release -p copydesk-load --examples
    cargo xtask bench --quick        # or full: builds bench-out/benchmark-*.warc.gz

Run:

    /work/bench/venv/bin/python bench/compare_loaders.py \
        --warc bench-out/benchmark-10000.warc.gz [--f1] [--json bench-out/compare.json]

The copydesk binaries are taken from $CARGO_TARGET_DIR (default target/)
release/examples.
"""

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared/data/article-extraction-benchmark"


def examples_dir() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "release" / "examples"


def run_copydesk(example: str, files, threads=None) -> tuple[float, str]:
    exe = examples_dir() / example
    if not exe.exists():
        sys.exit(f"{exe} not found: cargo build --release -p copydesk-load --examples")
    env = dict(os.environ)
    if threads:
        env["RAYON_NUM_THREADS"] = str(threads)
    started = time.perf_counter()
    out = subprocess.run([str(exe), *map(str, files)], check=True,
                         capture_output=True, text=True, env=env).stdout
    return time.perf_counter() - started, out


def trafilatura_pages(pages, with_output=False):
    import trafilatura
    texts = {}
    started = time.perf_counter()
    for page in pages:
        html = gzip.decompress(page.read_bytes())
        text = trafilatura.extract(html)
        if with_output:
            texts[page.name.split(".")[0]] = text or ""
    return time.perf_counter() - started, texts


def trafilatura_f1(texts, workdir: Path) -> str:
    (workdir / "output").mkdir(parents=True, exist_ok=True)
    truth = json.loads((BENCH / "ground-truth.json").read_text())
    pred = {k: {"articleBody": texts.get(k, "")} for k in truth}
    import trafilatura
    (workdir / "output" / "trafilatura.json").write_text(json.dumps(
        {"version": trafilatura.__version__, "output": pred}))
    (workdir / "ground-truth.json").write_text(json.dumps(truth))
    out = subprocess.run([sys.executable, str(BENCH / "evaluate.py"), "--n-bootstrap", "200"],
                         cwd=workdir, check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


def fastwarc_read(warc: Path, limit=None, extract=False):
    from fastwarc.warc import ArchiveIterator, WarcRecordType
    if extract:
        import trafilatura
    n = body_bytes = 0
    started = time.perf_counter()
    with open(warc, "rb") as f:
        for record in ArchiveIterator(f, record_types=WarcRecordType.response):
            body = record.reader.read()
            n += 1
            body_bytes += len(body)
            if extract:
                trafilatura.extract(body)
            if limit and n >= limit:
                break
    return time.perf_counter() - started, n, body_bytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warc", type=Path, required=True)
    parser.add_argument("--warc-extract", type=int, default=1000,
                        help="pages extracted by fastwarc + trafilatura (default 1000)")
    parser.add_argument("--f1", action="store_true", help="also score trafilatura on the benchmark")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    import fastwarc
    import trafilatura
    pages = sorted((BENCH / "html").glob("*.html.gz"))
    html_mb = sum(len(gzip.decompress(p.read_bytes())) for p in pages) / 1e6
    warc_mb = args.warc.stat().st_size / 1e6
    rows = []

    def add(task, tool, seconds, items, mb, note=""):
        rows.append({"task": task, "tool": tool, "seconds": round(seconds, 2), "items": items,
                     "items_per_s": round(items / seconds, 1), "mb": round(mb, 1),
                     "mb_per_s": round(mb / seconds, 2), "note": note})
        print(f"{task:<28} {tool:<36} {seconds:8.2f} s {items / seconds:9.1f}/s {mb / seconds:8.2f} MB/s {note}")

    secs, texts = trafilatura_pages(pages, with_output=args.f1)
    add("HTML extraction", f"trafilatura {trafilatura.__version__}", secs, len(pages), html_mb,
        "1 thread, MB of decompressed HTML")
    secs, out = run_copydesk("load_files", pages)
    add("HTML extraction", "copydesk load.html.v1 (load_files)", secs, len(pages), html_mb,
        "1 thread, MB of decompressed HTML")
    if args.f1:
        line = trafilatura_f1(texts, ROOT / "target" / "extraction-eval-trafilatura")
        print(f"trafilatura on the benchmark (evaluate.py): {line}")
        rows.append({"task": "extraction F1", "tool": f"trafilatura {trafilatura.__version__}",
                     "evaluate_py": line})

    secs, n, body = fastwarc_read(args.warc)
    add("WARC read (no extraction)", f"fastwarc {getattr(fastwarc, '__version__', '')}".strip(),
        secs, n, warc_mb, f"{body / 1e6:.0f} MB of bodies, MB/s of .warc.gz")
    secs, out = run_copydesk("read_warc", [args.warc])
    n_cd = int(re.search(r"(\d+) response bodies", out).group(1))
    add("WARC read (no extraction)", "copydesk WarcReader (read_warc)", secs, n_cd, warc_mb,
        "MB/s of .warc.gz")

    limit = args.warc_extract
    secs, n, _ = fastwarc_read(args.warc, limit=limit, extract=True)
    add("WARC read + extraction", "fastwarc + trafilatura", secs, n, warc_mb * n / n_cd,
        f"first {n} pages, 1 thread")
    for threads in (1, 2):
        secs, out = run_copydesk("load_files", [args.warc], threads=threads)
        docs = int(re.search(r"(\d+) documents", out).group(1))
        add("WARC read + extraction", "copydesk load.warc.v1 (load_files)", secs, n_cd, warc_mb,
            f"all {n_cd} pages ({docs} documents), {threads} thread(s)")

    if args.json:
        args.json.write_text(json.dumps({"rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
