#!/usr/bin/env python3
"""`homer review` measured on real history.

For each repository: a fresh local clone, its first-parent history, and
the last --commits commits of it that are not merges and change at most
30 files, each followed by at least 10 more. Homer indexes the parent of
the first one, then steps forward: check out the commit's parent,
`homer update --no-embed` (incremental), `homer review COMMIT --json`
(the commit is not indexed yet: the review is the parent's index plus the
diff). Then, against what the repository did next:

- forgotten-partner precision: of the files reported as likely forgotten
  (the first --limit), the share that one of the next 10 commits changes;
  beside it two baselines reporting as many files: files drawn (seeded)
  from the changed files' directories, and the files changed most often
  so far (both without the commit's own files);
- recall: of the files that one of the next 10 commits changes together
  with a file of the reviewed commit, the share the review reported;
- tests to run: of the test files the commit itself changed (when it also
  changed production code), the share the review listed among its tests.

Shares are pooled over the commits (hits over reported). Not part of the
test command; it takes minutes per repository.

With --latency, instead: in each corpus clone as it is (indexed at HEAD),
the newest commit that changed five files (else the nearest above five)
is reviewed as a process --runs times, and the median wall time printed.

Usage: benches/review_eval.py [--homer target/release/homer]
           [--corpus /tmp/corpus] [--repos all | a,b] [--commits 200]
           [--limit 10] [--work /tmp/review-eval] [--out results.json]
       benches/review_eval.py --latency [--runs 15] [--corpus ...] [--repos ...]
"""

import argparse
import collections
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NEXT = 10
MAX_FILES = 30


def git(repo, *args):
    out = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"git {' '.join(args)} failed in {repo}: {out.stderr}")
    return out.stdout


def files_of(repo, commit):
    """Files a commit changed against its first parent (new paths; renames
    count as their new path), or None for a root commit."""
    out = git(repo, "show", "--first-parent", "-M", "--name-only", "--format=", commit)
    return [line for line in out.splitlines() if line]


def history(repo):
    """First-parent commits, oldest first, each with its parent count and files."""
    out = git(repo, "log", "--first-parent", "--reverse", "-M", "--name-only",
              "--format=@@%H %P")
    commits = []
    for line in out.splitlines():
        if line.startswith("@@"):
            ids = line[2:].split()
            commits.append({"id": ids[0], "parents": len(ids) - 1, "files": []})
        elif line and commits:
            commits[-1]["files"].append(line)
    # `log --name-only` shows nothing for merges; their first-parent diff:
    for c in commits:
        if c["parents"] > 1:
            c["files"] = files_of(repo, c["id"])
    return commits


def homer(homer_bin, repo, *args):
    out = subprocess.run([homer_bin, *args], cwd=repo, capture_output=True, text=True,
                         env={**os.environ, "HOMER_MODEL_DIR": "/nonexistent"})
    if out.returncode not in (0, 1):
        sys.exit(f"homer {' '.join(args)} failed in {repo}: {out.stderr}")
    return out.stdout


def evaluate(homer_bin, source, work, commits_wanted, limit):
    name = os.path.basename(source)
    repo = os.path.join(work, name)
    shutil.rmtree(repo, ignore_errors=True)
    git(work, "clone", "-q", source, repo)
    git(repo, "config", "advice.detachedHead", "false")
    commits = history(repo)
    # Candidates: not merges, at most MAX_FILES files, NEXT commits after.
    candidates = [i for i, c in enumerate(commits[:-NEXT])
                  if i > 0 and c["parents"] == 1 and 0 < len(c["files"]) <= MAX_FILES]
    chosen = candidates[-commits_wanted:]
    if not chosen:
        return None
    # How often each file changed before a point, for the frequency baseline.
    counts = collections.Counter()
    upto = 0
    rng = random.Random(name)
    tallies = collections.defaultdict(lambda: [0, 0])  # name -> [hits, reported]
    details = []
    review_ms = []
    update_s = []
    first = True
    for i in chosen:
        commit = commits[i]
        parent = commits[i - 1]["id"]
        while upto < i:
            counts.update(commits[upto]["files"])
            upto += 1
        git(repo, "checkout", "-q", "--detach", parent)
        started = time.perf_counter()
        homer(homer_bin, repo, "update", "--no-embed")
        if not first:
            update_s.append(time.perf_counter() - started)
        first = False
        started = time.perf_counter()
        review = json.loads(homer(homer_bin, repo, "review", commit["id"], "--json",
                                  "--limit", str(limit)))
        review_ms.append((time.perf_counter() - started) * 1000)
        changed = set(commit["files"])
        later = [set(c["files"]) for c in commits[i + 1:i + 1 + NEXT]]
        future = set().union(*later)
        together = set()
        for files in later:
            if files & changed:
                together |= files - changed
        reported = [f["path"] for f in review["likely_forgotten"]][:limit]
        k = len(reported)
        # Baselines of the same size.
        dirs = {os.path.dirname(f) for f in changed}
        tracked = git(repo, "ls-files").splitlines()
        near = sorted(f for f in tracked if os.path.dirname(f) in dirs and f not in changed)
        near = rng.sample(near, min(k, len(near)))
        frequent = [f for f, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
                    if f not in changed and f in set(tracked)][:k]
        for label, picked in (("homer", reported), ("directory", near), ("frequent", frequent)):
            t = tallies[f"precision/{label}"]
            t[0] += sum(1 for f in picked if f in future)
            t[1] += len(picked)
            if together:
                r = tallies[f"recall/{label}"]
                r[0] += len(set(picked) & together)
                r[1] += len(together)
        details.append({
            "commit": commit["id"],
            "partners": [dict(f, hit=f["path"] in future) for f in review["likely_forgotten"]][:limit],
            "tests_changed": sorted(c["path"] for c in review["changed"] if c.get("test")),
            "tests_listed": sorted({t["path"] for t in review["tests"]}),
        })
        tests_changed = {c["path"] for c in review["changed"] if c.get("test")}
        production = [c for c in review["changed"] if not c.get("test")]
        if tests_changed and production:
            listed = {t["path"] for t in review["tests"]}
            t = tallies["tests"]
            t[0] += len(tests_changed & listed)
            t[1] += len(tests_changed)
        tallies["commits"][1] += 1
        tallies["reported"][0] += k
    return {
        "repo": name,
        "commits": tallies["commits"][1],
        "reported_per_commit": tallies["reported"][0] / max(1, tallies["commits"][1]),
        "shares": {k: (v[0], v[1]) for k, v in tallies.items() if k not in ("commits", "reported")},
        "review_ms_median": statistics.median(review_ms) if review_ms else None,
        "update_s_median": statistics.median(update_s) if update_s else None,
        "details": details,
    }


def share(pair):
    hits, total = pair
    return f"{hits / total:.2f} ({hits}/{total})" if total else "-"


def latency(homer_bin, corpus, names, runs):
    print("| repository | commit | files | review median (min-max) |")
    print("|---|---|---|---|")
    for name in names:
        repo = os.path.join(corpus, name)
        commits = [c for c in history(repo) if c["parents"] == 1]
        five = [c for c in commits if len(c["files"]) == 5]
        above = sorted((c for c in commits if len(c["files"]) > 5), key=lambda c: len(c["files"]))
        pick = five[-1] if five else (above[0] if above else None)
        if pick is None:
            continue
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            homer(homer_bin, repo, "review", pick["id"])
            times.append((time.perf_counter() - started) * 1000)
        print(f"| {name} | {pick['id'][:8]} | {len(pick['files'])} | "
              f"{statistics.median(times):.0f} ms ({min(times):.0f}-{max(times):.0f}) |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--homer", default=os.path.join(HERE, "..", "target", "release", "homer"))
    ap.add_argument("--corpus", default="/tmp/corpus")
    ap.add_argument("--repos", default="all")
    ap.add_argument("--commits", type=int, default=200)
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--work", default="/tmp/review-eval")
    ap.add_argument("--out")
    ap.add_argument("--latency", action="store_true")
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    homer_bin = os.path.abspath(args.homer)
    if args.latency:
        names = sorted(os.listdir(args.corpus)) if args.repos == "all" else args.repos.split(",")
        latency(homer_bin, args.corpus, names, args.runs)
        return
    os.makedirs(args.work, exist_ok=True)
    names = sorted(os.listdir(args.corpus)) if args.repos == "all" else args.repos.split(",")
    results = []
    for name in names:
        started = time.perf_counter()
        r = evaluate(homer_bin, os.path.join(args.corpus, name), args.work, args.commits, args.limit)
        if r is None:
            print(f"{name}: no commit to review", file=sys.stderr)
            continue
        results.append(r)
        print(f"{name}: {r['commits']} commits in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    print("| repository | commits | reported | precision: homer | directory | frequent "
          "| recall: homer | directory | frequent | tests listed | review ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    pooled = collections.defaultdict(lambda: [0, 0])
    for r in results:
        s = r["shares"]
        for k, v in s.items():
            pooled[k][0] += v[0]
            pooled[k][1] += v[1]
        cells = [share(s.get(f"precision/{b}", (0, 0))) for b in ("homer", "directory", "frequent")]
        cells += [share(s.get(f"recall/{b}", (0, 0))) for b in ("homer", "directory", "frequent")]
        cells.append(share(s.get("tests", (0, 0))))
        print(f"| {r['repo']} | {r['commits']} | {r['reported_per_commit']:.1f} | "
              + " | ".join(cells) + f" | {r['review_ms_median']:.0f} |")
    cells = [share(pooled.get(f"precision/{b}", (0, 0))) for b in ("homer", "directory", "frequent")]
    cells += [share(pooled.get(f"recall/{b}", (0, 0))) for b in ("homer", "directory", "frequent")]
    cells.append(share(pooled.get("tests", (0, 0))))
    total = sum(r["commits"] for r in results)
    print(f"| all | {total} | | " + " | ".join(cells) + " | |")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
