#!/usr/bin/env python3
"""Writes sample-logs/: SYNTHETIC CloudWatch logs of five .NET Lambda variants.

The distributions are modelled on published .NET-on-Lambda comparisons (Regular
JIT, ReadyToRun, NativeAOT on .NET 8/9/10): cold starts (Init Duration) around
6.7 s / 4.4 s / 1.45 s / 1.0 s / 0.95 s, warm durations around 91 / 99 / 19 / 14 /
17 ms with long tails, memory 512/512/256/256/256 MB. They are not measurements.

Each variant is written in a different export shape, so that one
`lambdastat report sample-logs` run exercises every format the tool reads:

  LambdaRegularDemo  S3 export tree       s3-export/aws/lambda/<fn>/<task>/<stream>/000000.gz
  LambdaR2RDemo      filter-log-events    filter-log-events/aws/lambda/<fn>.json
  LambdaAOTDemo8     get-log-events       get-log-events/aws/lambda/<fn>/<stream>.json (one per stream)
  LambdaAOTDemo9     aws logs tail        text/aws/lambda/<fn>.log
  LambdaAOTDemo10    JSON log format      json-log-format/export.jsonl (named by platform.initStart)

Deterministic: the same --seed writes the same bytes (gzip mtime is 0).
Usage: python3 scripts/gen_sample_logs.py [--seed 42] [--out sample-logs] [--invocations 1500]
"""

import argparse
import gzip
import json
import math
import os
import random
import shutil
import uuid
from datetime import datetime, timedelta, timezone

# name, label, runtime, init median ms, cold first-invoke ms, warm median ms, memory MB, base RSS MB
VARIANTS = [
    ("LambdaRegularDemo", "Regular .NET 8", "dotnet:8.v47", 6700.0, 620.0, 91.0, 512, 96),
    ("LambdaR2RDemo", "ReadyToRun .NET 8", "dotnet:8.v47", 4400.0, 380.0, 99.0, 512, 104),
    ("LambdaAOTDemo8", "NativeAOT .NET 8", "provided:al2023.v109", 1450.0, 48.0, 19.0, 256, 52),
    ("LambdaAOTDemo9", "NativeAOT .NET 9", "provided:al2023.v109", 1000.0, 36.0, 14.0, 256, 47),
    ("LambdaAOTDemo10", "NativeAOT .NET 10", "provided:al2023.v109", 950.0, 38.0, 17.0, 256, 49),
]
REGION = "us-east-1"
TIMEOUT_MS = 30000
START = datetime(2026, 11, 1, 0, 0, 0, tzinfo=timezone.utc)


def lognormal(rng, median, sigma):
    return median * math.exp(rng.gauss(0.0, sigma))


def warm_duration(rng, median):
    """Long-tailed: mostly lognormal, 4% slow outliers (GC, downstream calls)."""
    d = lognormal(rng, median, 0.18)
    if rng.random() < 0.04:
        d *= rng.uniform(2.0, 8.0)
    return d


def ms2(x):
    return f"{x:.2f}"


def iso(ts):
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def epoch_ms(ts):
    return int(ts.timestamp() * 1000)


def request_id(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def simulate(rng, variant, invocations):
    """Execution environments, each a list of events (timestamp, kind, fields)."""
    name, _label, runtime, init_med, cold_first_med, warm_med, mem, rss = variant
    arn_hex = "%064x" % rng.getrandbits(256)
    envs = []
    t = START + timedelta(seconds=rng.uniform(0, 60))
    done = 0
    while done < invocations:
        env_id = "%032x" % rng.getrandbits(128)
        stream = f"{t:%Y/%m/%d}/[$LATEST]{env_id}"
        events = []
        max_mem = rss + rng.randint(0, 6)
        lifetime = 1 + int(rng.expovariate(1 / 14.0))
        init = lognormal(rng, init_med, 0.09)
        events.append((t, "INIT_START", {"runtime": runtime, "arn": f"arn:aws:lambda:{REGION}::runtime:{arn_hex}"}))
        t += timedelta(milliseconds=init)
        for i in range(lifetime):
            if done >= invocations:
                break
            done += 1
            rid = request_id(rng)
            cold = i == 0
            status = None
            error_type = None
            roll = rng.random()
            if roll < 0.002:
                status, duration = "timeout", float(TIMEOUT_MS)
            elif roll < 0.007:
                status = "error"
                error_type = rng.choice(["Runtime.ExitError", "Runtime.Unknown"])
                duration = warm_duration(rng, warm_med) * 0.5
            else:
                duration = lognormal(rng, cold_first_med, 0.12) if cold else warm_duration(rng, warm_med)
            duration = round(duration, 2)
            init_ms = round(init, 2) if cold else None
            # Since Aug 2025 INIT is billed for managed runtimes too; custom runtimes always.
            billed = math.ceil(duration + (init_ms or 0.0))
            max_mem = max(max_mem, rss + rng.randint(0, 10) + (8 if cold else 0))
            events.append((t, "START", {"rid": rid}))
            if not status and rng.random() < 0.8:
                events.append((t + timedelta(milliseconds=duration * 0.3), "APP",
                               {"rid": rid, "text": f"Processed order {rng.randint(10000, 99999)} in {duration * 0.6:.1f} ms"}))
            end = t + timedelta(milliseconds=duration)
            if status == "error":
                events.append((end, "APP", {"rid": rid, "text": "Unhandled exception. System.InvalidOperationException: payment provider unavailable", "level": "fail"}))
            events.append((end, "END", {"rid": rid}))
            events.append((end, "REPORT", {
                "rid": rid, "duration": duration, "billed": billed, "mem": mem, "max_mem": max_mem,
                "init": init_ms, "status": status, "error_type": error_type,
            }))
            t = end + timedelta(seconds=rng.expovariate(1 / 20.0))
            if status:
                break  # a crashed or timed-out environment is not reused
        envs.append((stream, events))
        t = START + timedelta(seconds=rng.uniform(0, 2 * 86400))
    return envs


def text_message(kind, f):
    """The raw CloudWatch message of a plain-text (LogFormat=Text) event."""
    if kind == "INIT_START":
        return f"INIT_START Runtime Version: {f['runtime']}\tRuntime Version ARN: {f['arn']}\n"
    if kind == "START":
        return f"START RequestId: {f['rid']} Version: $LATEST\n"
    if kind == "END":
        return f"END RequestId: {f['rid']}\n"
    if kind == "APP":
        return f"{{ts}}\t{f['rid']}\t{f.get('level', 'info')}\t{f['text']}\n"
    parts = [f"REPORT RequestId: {f['rid']}", f"Duration: {ms2(f['duration'])} ms", f"Billed Duration: {f['billed']} ms",
             f"Memory Size: {f['mem']} MB", f"Max Memory Used: {f['max_mem']} MB"]
    if f["init"] is not None:
        parts.append(f"Init Duration: {ms2(f['init'])} ms")
    if f["status"]:
        parts.append(f"Status: {f['status']}")
    if f["error_type"]:
        parts.append(f"Error Type: {f['error_type']}")
    return "\t".join(parts) + "\t\n"


def flat_events(envs):
    """(timestamp, stream, message) of every event, in time order."""
    out = []
    for stream, events in envs:
        for ts, kind, f in events:
            out.append((ts, stream, text_message(kind, f).replace("{ts}", iso(ts))))
    out.sort(key=lambda e: (e[0], e[1]))
    return out


def write_s3_export(root, name, envs, rng):
    task = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    base = os.path.join(root, "s3-export", "aws", "lambda", name, task)
    for stream, events in envs:
        lines = []
        for ts, kind, f in events:
            lines.append(f"{iso(ts)} {text_message(kind, f).replace('{ts}', iso(ts))}")
        d = os.path.join(base, stream)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "000000.gz"), "wb") as fh:
            fh.write(gzip.compress("\n".join(lines).encode() + b"\n", mtime=0))
    with open(os.path.join(root, "s3-export", "aws", "lambda", name, "aws-logs-write-test"), "w") as fh:
        fh.write("Permission Check Successful")


def write_filter_log_events(root, name, envs, rng):
    events = [{
        "logStreamName": stream, "timestamp": epoch_ms(ts), "message": msg,
        "ingestionTime": epoch_ms(ts) + rng.randint(200, 9000), "eventId": "%056d" % rng.getrandbits(180),
    } for ts, stream, msg in flat_events(envs)]
    d = os.path.join(root, "filter-log-events", "aws", "lambda")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"{name}.json"), "w") as fh:
        json.dump({"events": events, "searchedLogStreams": []}, fh, indent=4)
        fh.write("\n")


def write_get_log_events(root, name, envs, rng):
    d = os.path.join(root, "get-log-events", "aws", "lambda", name)
    os.makedirs(d, exist_ok=True)
    for stream, events in envs:
        out = [{"timestamp": epoch_ms(ts), "message": text_message(kind, f).replace("{ts}", iso(ts)),
                "ingestionTime": epoch_ms(ts) + rng.randint(200, 9000)} for ts, kind, f in events]
        token = "%056d" % rng.getrandbits(180)
        file = stream.split("]")[-1] + ".json"
        with open(os.path.join(d, file), "w") as fh:
            json.dump({"events": out, "nextForwardToken": f"f/{token}", "nextBackwardToken": f"b/{token}"}, fh, indent=4)
            fh.write("\n")


def write_logs_tail(root, name, envs):
    """`aws logs tail --format detailed`: '<isoformat +00:00> <stream> <message>'."""
    d = os.path.join(root, "text", "aws", "lambda")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"{name}.log"), "w") as fh:
        for ts, stream, msg in flat_events(envs):
            stamp = ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond:06d}+00:00"
            fh.write(f"{stamp} {stream} {msg.rstrip()}\n")


def write_json_log_format(root, name, envs, variant):
    """LogFormat=JSON: platform events and JSON application logs, one per line."""
    _name, _label, runtime, *_ = variant
    lines = []
    for stream, events in envs:
        for ts, kind, f in events:
            t = iso(ts)
            if kind == "INIT_START":
                rec = {"initializationType": "on-demand", "phase": "init", "runtimeVersion": runtime,
                       "runtimeVersionArn": f["arn"], "functionName": name, "functionVersion": "$LATEST"}
                ev = {"time": t, "type": "platform.initStart", "record": rec}
            elif kind == "START":
                ev = {"time": t, "type": "platform.start", "record": {"requestId": f["rid"], "version": "$LATEST"}}
            elif kind == "APP":
                ev = {"timestamp": t, "level": "ERROR" if f.get("level") == "fail" else "INFO", "requestId": f["rid"], "message": f["text"]}
            elif kind == "END":
                continue
            else:
                metrics = {"durationMs": f["duration"], "billedDurationMs": f["billed"], "memorySizeMB": f["mem"],
                           "maxMemoryUsedMB": f["max_mem"]}
                if f["init"] is not None:
                    metrics["initDurationMs"] = f["init"]
                rec = {"requestId": f["rid"], "metrics": metrics, "status": f["status"] or "success"}
                if f["error_type"]:
                    rec["errorType"] = f["error_type"]
                ev = {"time": t, "type": "platform.report", "record": rec}
            lines.append((ts, stream, json.dumps(ev, separators=(",", ":"))))
    lines.sort(key=lambda e: (e[0], e[1]))
    d = os.path.join(root, "json-log-format")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "export.jsonl"), "w") as fh:
        for _ts, _stream, line in lines:
            fh.write(line + "\n")


README = """# sample-logs: SYNTHETIC data

Generated by `python3 scripts/gen_sample_logs.py --seed {seed} --invocations {n}`; do not edit by hand.
These are not measurements: the distributions are modelled on published .NET-on-Lambda comparisons
(cold starts about 6.7 s / 4.4 s / 1.45 s / 1.0 s / 0.95 s, warm about 91 / 99 / 19 / 14 / 17 ms with long
tails, memory 512/512/256/256/256 MB), with about 0.5% errors and 0.2% timeouts (30 s).

| function | variant | shape | path |
|---|---|---|---|
""" + "\n".join([
    "| LambdaRegularDemo | Regular .NET 8 | S3 export (`.gz` per stream) | `s3-export/aws/lambda/LambdaRegularDemo/<task>/<stream>/000000.gz` |",
    "| LambdaR2RDemo | ReadyToRun .NET 8 | `aws logs filter-log-events` JSON | `filter-log-events/aws/lambda/LambdaR2RDemo.json` |",
    "| LambdaAOTDemo8 | NativeAOT .NET 8 | `aws logs get-log-events` JSON, one file per stream | `get-log-events/aws/lambda/LambdaAOTDemo8/*.json` |",
    "| LambdaAOTDemo9 | NativeAOT .NET 9 | `aws logs tail` text | `text/aws/lambda/LambdaAOTDemo9.log` |",
    "| LambdaAOTDemo10 | NativeAOT .NET 10 | Lambda JSON log format (named by `platform.initStart`) | `json-log-format/export.jsonl` |",
]) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default="sample-logs")
    ap.add_argument("--invocations", type=int, default=1500, help="invocations per function")
    a = ap.parse_args()
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    rng = random.Random(a.seed)
    writers = [
        lambda n, e, v: write_s3_export(a.out, n, e, rng),
        lambda n, e, v: write_filter_log_events(a.out, n, e, rng),
        lambda n, e, v: write_get_log_events(a.out, n, e, rng),
        lambda n, e, v: write_logs_tail(a.out, n, e),
        lambda n, e, v: write_json_log_format(a.out, n, e, v),
    ]
    for variant, write in zip(VARIANTS, writers):
        envs = simulate(rng, variant, a.invocations)
        write(variant[0], envs, variant)
    with open(os.path.join(a.out, "README.md"), "w") as fh:
        fh.write(README.format(seed=a.seed, n=a.invocations))


if __name__ == "__main__":
    main()
