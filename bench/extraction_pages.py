#!/usr/bin/env python3
"""Per-page and split-half scores for main-text extraction predictions.

Usage (after `cargo xtask eval extraction`, which writes the predictions):

    python3 bench/extraction_pages.py [EVAL_DIR] [--worst N] [--name copydesk]

EVAL_DIR (default target/extraction-eval) holds `ground-truth.json` and
`output/NAME.json` as the article-extraction-benchmark's `evaluate.py`
expects. Scores use that script's own functions (4-word shingles,
per-page precision and recall averaged over pages), imported from
../shared/data/article-extraction-benchmark/evaluate.py.

Prints the worst pages by F1 (with their false-positive and false-negative
shares, so one sees whether boilerplate was kept or text lost), and the
scores on the odd and even halves of the pages in sorted id order: a rule
tuned while looking at one half should hold on the other.
"""

import argparse
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared/data/article-extraction-benchmark"


def load_scorer(bench: Path):
    spec = importlib.util.spec_from_file_location("evaluate", bench / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("eval_dir", nargs="?", type=Path,
                        default=ROOT / "target/extraction-eval")
    parser.add_argument("--name", default="copydesk")
    parser.add_argument("--worst", type=int, default=25)
    parser.add_argument("--bench", type=Path, default=BENCH)
    parser.add_argument("--json", type=Path, help="write per-page scores here")
    args = parser.parse_args()

    ev = load_scorer(args.bench)
    truth = json.loads((args.eval_dir / "ground-truth.json").read_text())
    pred, _ = ev.load_prediction(args.eval_dir / "output" / f"{args.name}.json")
    ids = sorted(truth)
    rows = {}
    for key in ids:
        t = truth[key].get("articleBody", "")
        p = pred.get(key, {}).get("articleBody", "")
        tp, fp, fn = ev.string_shingle_matching(true=t, pred=p)
        prec = ev.precision_score(tp, fp, fn)
        rec = ev.recall_score(tp, fp, fn)
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        rows[key] = (tp, fp, fn, prec, rec, f1)

    def summary(keys):
        m = ev.metrics_from_tp_fp_fns([rows[k][:3] for k in keys])
        return f"F1 {m['f1']:.4f}  P {m['precision']:.4f}  R {m['recall']:.4f}  ({len(keys)} pages)"

    print(f"all   {summary(ids)}")
    print(f"odd   {summary(ids[1::2])}")
    print(f"even  {summary(ids[0::2])}")
    print(f"\nworst {args.worst} pages by F1 (fp/fn: shares of the page's shingles)")
    worst = sorted(ids, key=lambda k: rows[k][5])[: args.worst]
    for k in worst:
        tp, fp, fn, prec, rec, f1 = rows[k]
        half = "odd" if ids.index(k) % 2 else "even"
        print(f"{k[:12]} {half:<4} F1 {f1:.3f}  P {prec:.3f}  R {rec:.3f}  fp {fp:.3f}  fn {fn:.3f}  "
              f"{truth[k].get('url', '')[:70]}")
    if args.json:
        args.json.write_text(json.dumps(
            {k: dict(zip(["tp", "fp", "fn", "precision", "recall", "f1"], v)) for k, v in rows.items()},
            indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
