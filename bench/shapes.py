#!/usr/bin/env python3
"""Time linear in input size whatever the line length (issue #11, item 6).

    python3 bench/shapes.py            # --mb 100 by default, best of --runs 3

Writes the same invocations in pairs of shapes into /dev/shm, one with ordinary line breaks and one
without them, and times `lambdastat report` on each (best of N, peak RSS from GNU time):

  text        REPORT lines, one per line          vs  one 100 MB line of the same REPORTs, tab-joined
  filter-log  `aws logs filter-log-events` JSON   vs  the same JSON compact on one line (100,000 events)
              as the CLI prints it (indented)
  firehose    subscription payloads (DATA_MESSAGE vs  the same objects joined with no separator, as a
              JSON), one object per line, gzip'ed     Firehose delivery stream writes them, gzip'ed

It checks that both shapes of a pair give the same invocations and cold starts, and prints the ratio
(joined / lined). The target: each ratio at most a few times 1 (linear time, no quadratic rescans).
"""

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAMBDASTAT = os.path.join(ROOT, "target", "release", "lambdastat")
TIME = "/usr/bin/time"


def invocations(n, seed=11):
    rnd = random.Random(seed)
    for i in range(n):
        rid = "%08x-%04x-4%03x-8%03x-%012x" % (rnd.getrandbits(32), i & 0xFFFF, i % 4096, rnd.getrandbits(12), i)
        d = rnd.uniform(1, 400)
        report = "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: 512 MB\tMax Memory Used: %d MB" % (
            rid, d, int(d) + 1, rnd.randint(60, 200))
        if i % 100 == 0:
            report += "\tInit Duration: %.2f ms" % rnd.uniform(100, 900)
        yield rid, 1_700_000_000_000 + i * 10, report


def write_text(dir_, n):
    lined = os.path.join(dir_, "text-lined", "aws", "lambda")
    joined = os.path.join(dir_, "text-joined", "aws", "lambda")
    os.makedirs(lined), os.makedirs(joined)
    reports = [r for _, _, r in invocations(n)]
    with open(os.path.join(lined, "fn.log"), "w") as f:
        f.write("\n".join(reports) + "\n")
    with open(os.path.join(joined, "fn.log"), "w") as f:
        f.write("\t".join(reports))  # one line, no line break at all
    return os.path.dirname(os.path.dirname(lined)), os.path.dirname(os.path.dirname(joined))


def write_filter_log(dir_, events):
    evs = []
    stream = "2026/11/02/[$LATEST]0123456789abcdef0123456789abcdef"
    for rid, t, report in invocations(events // 3):
        for msg in ("START RequestId: %s Version: $LATEST\n" % rid, "END RequestId: %s\n" % rid, report + "\n"):
            evs.append({"logStreamName": stream, "timestamp": t, "message": msg, "ingestionTime": t + 500,
                        "eventId": "%056d" % len(evs)})
    doc = {"events": evs, "searchedLogStreams": []}
    paths = []
    for name, dump in (("filter-lined", lambda f: json.dump(doc, f, indent=4)),
                       ("filter-joined", lambda f: json.dump(doc, f, separators=(",", ":")))):
        d = os.path.join(dir_, name, "aws", "lambda")
        os.makedirs(d)
        with open(os.path.join(d, "fn.json"), "w") as f:
            dump(f)
        paths.append(os.path.dirname(os.path.dirname(d)))
    return paths, len(evs)


def write_firehose(dir_, n, per_object=50):
    objs = []
    batch = []
    for rid, t, report in invocations(n):
        batch.append({"id": str(len(batch)), "timestamp": t, "message": report})
        if len(batch) == per_object:
            objs.append(batch)
            batch = []
    if batch:
        objs.append(batch)
    payloads = [json.dumps({"messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": "/aws/lambda/fn",
                            "logStream": "2026/11/02/[$LATEST]%032x" % i, "subscriptionFilters": ["all"],
                            "logEvents": b}, separators=(",", ":")) for i, b in enumerate(objs)]
    paths = []
    for name, sep in (("firehose-lined", "\n"), ("firehose-joined", "")):
        d = os.path.join(dir_, name)
        os.makedirs(d)
        with gzip.open(os.path.join(d, "delivery-1-2026-11-02-00-00-00-abc.gz"), "wt", compresslevel=1) as f:
            f.write(sep.join(payloads))
        paths.append(d)
    return paths


def run(path, runs):
    best, rss, summary = None, 0.0, None
    out = path + ".report"
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run([TIME, "-f", "%M", LAMBDASTAT, "report", path, "--out", out, "--quiet"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t
        err = p.stderr.decode(errors="replace").strip().splitlines()
        if p.returncode != 0:
            sys.exit(f"lambdastat failed on {path}:\n" + "\n".join(err))
        best = wall if best is None else min(best, wall)
        rss = max(rss, int(err[-1]) / 1024.0)
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    return best, rss, summary


def counts(summary):
    inv = sum(g["invocations"] for g in summary["functions"])
    cold = sum(g["cold_starts"] for g in summary["functions"])
    skipped = summary["inputs"]["skipped_lines"]
    return inv, cold, skipped


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=100.0, help="size of the text shapes (the one long line)")
    ap.add_argument("--events", type=int, default=100_000, help="events in the filter-log-events document")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default="/dev/shm/lambdastat-shapes")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "lambdastat"], cwd=ROOT, check=True)
    if os.path.isdir(args.dir):
        subprocess.run(["rm", "-rf", args.dir], check=True)
    os.makedirs(args.dir)
    n = int(args.mb * 1e6 / 150)  # a REPORT line is about 150 bytes
    print(f"writing shapes into {args.dir} ({n:,} invocations in the text pair) ...", flush=True)
    pairs = [("text", *write_text(args.dir, n))]
    (fl, fj), events = write_filter_log(args.dir, args.events)
    pairs.append((f"filter-log ({events:,} events)", fl, fj))
    pairs.append(("firehose", *write_firehose(args.dir, n // 4)))

    print(f"{'shape':<28} {'lined s':>8} {'joined s':>9} {'ratio':>6} {'MB':>7} {'RSS MB':>15} {'invocations':>12}")
    worst = 0.0
    for name, lined, joined in pairs:
        tl, rl, sl = run(lined, args.runs)
        tj, rj, sj = run(joined, args.runs)
        if counts(sl) != counts(sj):
            sys.exit(f"{name}: the shapes disagree: lined {counts(sl)} vs joined {counts(sj)} (invocations, cold, skipped)")
        size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(joined) for f in fs) / 1e6
        ratio = tj / tl
        worst = max(worst, ratio)
        print(f"{name:<28} {tl:8.3f} {tj:9.3f} {ratio:6.2f} {size:7.1f} {rl:7.0f}/{rj:<7.0f} {counts(sj)[0]:>12,}")
    print(f"worst ratio {worst:.2f} (target: at most a few times 1)")


if __name__ == "__main__":
    main()
