#!/usr/bin/env python3
"""End-to-end measurements of Homer on real repositories.

    python3 benches/e2e.py [--corpus ../shared/corpus] [--runs 5] [--repos ripgrep,cobra]

For every bundle in the corpus it makes a fresh clone, then, in interleaved
runs (so a busy moment of the machine hits both sides alike), times

- `git log --numstat -M --no-merges`: the floor for mining history;
- a cold `homer update --no-embed` (the index deleted first), with its
  stage times;
- a second `homer update --no-embed` with nothing new (the cost of checking).

Embedding is left out: it takes minutes per repository and is measured on
its own (docs/PERFORMANCE.md, "Embeddings").

It prints a Markdown table of medians with min-max, and the machine it ran
on. Nothing here runs in CI: it needs the corpus and takes minutes.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine():
    cores = os.cpu_count()
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cores} cores ({cpu}), {mem} RAM"


def build():
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
    return ROOT / "target" / "release" / "homer"


def timed(cmd, **kw):
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    return time.perf_counter() - start, out.stdout


def spread(values):
    med = statistics.median(values)
    return f"{med * 1000:.0f} ms ({min(values) * 1000:.0f}-{max(values) * 1000:.0f})"


def measure(homer, repo, runs):
    git_times, history, code, cold, warm = [], [], [], [], []
    for _ in range(runs):
        t, _ = timed(["git", "-C", str(repo), "log", "--numstat", "-M", "--no-merges", "--format=%H"])
        git_times.append(t)
        shutil.rmtree(repo / ".homer", ignore_errors=True)
        t, out = timed([str(homer), "update", "--no-embed", "--json", "--repo", str(repo)])
        cold.append(t)
        report = json.loads(out)
        stages = {s["stage"]: s["millis"] / 1000 for s in report["stages"]}
        history.append(stages["history"])
        code.append(stages["code"])
        t, _ = timed([str(homer), "update", "--no-embed", "--json", "--repo", str(repo)])
        warm.append(t)
    return {
        "commits": report["stored"]["current"].get("commit", 0),
        "git": git_times,
        "history": history,
        "cold": cold,
        "code": code,
        "warm": warm,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repos", default="", help="comma-separated bundle names (default: all)")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    bundles = sorted(corpus.glob("*.bundle"))
    if args.repos:
        wanted = set(args.repos.split(","))
        bundles = [b for b in bundles if b.stem in wanted]
    if not bundles:
        sys.exit(f"no bundles in {corpus}")
    homer = build()
    print(f"Machine: {machine()}; {args.runs} runs each, medians with min-max.\n")
    print(
        "| repository | commits | `git log --numstat -M --no-merges` | history stage | history / git "
        "| code stage | cold `homer update` | `homer update`, nothing new |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for bundle in bundles:
            repo = Path(tmp) / bundle.stem
            subprocess.run(["git", "-c", "init.defaultBranch=main", "clone", "-q", str(bundle), str(repo)], check=True)
            r = measure(homer, repo, args.runs)
            ratio = statistics.median(r["history"]) / statistics.median(r["git"])
            print(
                f"| {bundle.stem} | {r['commits']} | {spread(r['git'])} | {spread(r['history'])} "
                f"| {ratio:.2f} | {spread(r['code'])} | {spread(r['cold'])} | {spread(r['warm'])} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
