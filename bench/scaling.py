#!/usr/bin/env python3
"""How lambdastat's time and memory grow: corpora of 0.25, 0.5, 1, 2 and 4 GB (the generator of
bench/bench.py, seeded), each timed as plain text and as an S3-export tree of .gz objects; and the
same invocations as one file against 17,860 small plain objects.

    python3 bench/scaling.py            # --sizes 0.25,0.5,1,2,4 --runs 3 --dir /dev/shm/lambdastat-scaling

Prints a markdown table: wall time (best of --runs), peak RSS (GNU time), MB/s, invocations, and the
per-GB time and per-invocation memory, so that linearity can be read off the rows. The corpora live in
/dev/shm (see bench.py for why); they take about 1.2x their size in memory while they exist.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from bench import BIN, corpus, du, measure, sh  # noqa: E402


def report(lam, path, out, runs):
    wall, rss = measure([lam, "report", path, "-o", out, "-q"], runs)
    s = json.load(open(os.path.join(out, "summary.json")))
    return wall, rss, s["inputs"]["records"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="0.25,0.5,1,2,4")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default="/dev/shm/lambdastat-scaling")
    ap.add_argument("--keep", action="store_true", help="keep the corpora (they are removed after each size)")
    a = ap.parse_args()
    sh(["cargo", "build", "--release", "--locked", "-q", "-p", "lambdastat", "-p", "lambdastat-bench"], cwd=ROOT)
    lam = os.path.join(BIN, "lambdastat")
    os.makedirs(a.dir, exist_ok=True)
    out = os.path.join(a.dir, "out")
    print("| corpus | shape | files | MB (uncompressed) | invocations | time s | MB/s | s per GB | peak RSS MB | RSS - 64 MB, B per invocation |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")

    def row(name, shape, files, mb, wall, rss, n):
        per_inv = max(rss - 64, 0) * 1e6 / n
        print(f"| {name} | {shape} | {files:,} | {mb:,.0f} | {n:,} | {wall:.3f} | {mb / wall:,.0f} | {wall / mb * 1000:.3f} | {rss:.0f} | {per_inv:.1f} |", flush=True)

    for gb in [float(x) for x in a.sizes.split(",")]:
        path = os.path.join(a.dir, f"corpus-{gb}g")
        text, gz = corpus(path, gb, [])
        text_mb = du(text) / 1e6
        wall, rss, n = report(lam, os.path.join(path, "text"), out, a.runs)
        row(f"{gb} GB", "text", len(text), text_mb, wall, rss, n)
        wall, rss, n = report(lam, os.path.join(path, "s3"), out, a.runs)
        inflated = int(subprocess.run(f"find {path}/s3 -name '*.gz' -print0 | xargs -0 -P2 -n 500 zcat | wc -c", shell=True,
                                      capture_output=True, text=True).stdout) / 1e6
        row(f"{gb} GB", ".gz objects", len(gz), inflated, wall, rss, n)
        if gb == 1.0:
            # The same invocations as one file and as many small plain objects (the export tree inflated).
            one = os.path.join(a.dir, "one-file")
            os.makedirs(one, exist_ok=True)
            with open(os.path.join(one, "all.log"), "wb") as f:
                for t in text:
                    with open(t, "rb") as src:
                        shutil.copyfileobj(src, f, 1 << 22)
            wall, rss, n = report(lam, one, out, a.runs)
            row("1 GB", "one file", 1, du([os.path.join(one, "all.log")]) / 1e6, wall, rss, n)
            many = os.path.join(a.dir, "many-objects")
            for g in gz:
                dst = os.path.join(many, os.path.relpath(g, os.path.join(path, "s3")))[: -len(".gz")]
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                with open(dst, "wb") as f:
                    subprocess.run(["zcat", g], stdout=f, check=True)
            files = glob.glob(os.path.join(many, "**", "000000"), recursive=True)
            wall, rss, n = report(lam, many, out, a.runs)
            row("1 GB", "plain objects", len(files), du(files) / 1e6, wall, rss, n)
            shutil.rmtree(one)
            shutil.rmtree(many)
        if not a.keep:
            shutil.rmtree(path)


if __name__ == "__main__":
    main()
