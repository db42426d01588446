#!/usr/bin/env python3
"""Scores `homer search` on the evaluation set in benches/search/questions.json.

For every repository in the set and every question, runs

    homer search --json --mode MODE --limit 10 -- QUESTION

for MODE in text, semantic and hybrid, and a keyword baseline: files ranked
by how many distinct query words `git grep -c -i -w WORD` finds in them
(ties: more matching lines first, then path), stop words dropped as Homer
drops them.

A result list is turned into a list of distinct files in the order they
first appear (a file with three matching functions counts once, at its
best place). Then, per question,

    recall@5 = |answer files among the first 5 files| / |answer files|
    MRR@10   = 1 / rank of the first answer file among the first 10 files
               (0 when none)
    hit@5    = 1 when any answer file is among the first 5 files

averaged over the questions: per repository, then pooled over each set of
`_sets` in the question file (the repositories used while tuning are
reported apart from those held out), over the pasted error messages (kind
"paste"), and over all. Also prints the median wall time of one
`homer search` process per mode.

Usage: benches/search_eval.py [--homer target/release/homer]
           [--corpus /tmp/corpus] [--repos all | ripgrep,requests,hono]
           [--modes text,semantic,hybrid] [--no-grep]
           [--out scores.json] (every question's scores and top 5)
           [--misses]     (list the questions the last mode gets wrong)
           [--sweep]      (also fuse the text and semantic rankings here with
                           other constants; see below)
--sweep reads the top 100 of `--mode text` and `--mode semantic` and fuses
them in this script by weighted reciprocal rank, w / (k + rank), for a few
k and text weights, without Homer's salience prior: it shows how sensitive
the fused ranking is to its constants. Choosing constants from it would tune
on the evaluation set itself, so Homer keeps k = 60 and equal weights unless
a setting wins on every repository.

Each repository must be a clone under the corpus directory, indexed with
`homer update` (with the model, for semantic and hybrid).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MODES = ["text", "semantic", "hybrid"]

# The stop words Homer's query builder drops (crates/homer-vocab/src/text.rs).
STOP = set(
    """a about all an and any are as at be been by can do does done each for
    from get gets got has have how i if in into is it its like me my of on or
    so such that the their them then there these this those to up use used
    uses using via was we were what when where which while who why will with
    would you""".split()
)


def words(question):
    out = []
    for raw in question.lower().replace("-", " ").split():
        w = "".join(c for c in raw if c.isalnum() or c == "_")
        if w and w not in STOP and w not in out:
            out.append(w)
    return out


def distinct_files(paths):
    seen = []
    for p in paths:
        if p and p not in seen:
            seen.append(p)
    return seen


def homer_hits(homer, repo, question, mode, limit):
    out = subprocess.run(
        [homer, "search", "--json", "--mode", mode, "--limit", str(limit), "--", question],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    if out.returncode not in (0, 1):
        sys.exit(f"homer search failed in {repo}: {out.stderr}")
    return [(h.get("path"), h.get("symbol"), h.get("commit")) for h in json.loads(out.stdout)["hits"]]


def fuse(rankings, k):
    """Weighted reciprocal rank fusion of [(weight, [key, ...]), ...]."""
    scores = {}
    for weight, ranking in rankings:
        for rank, key in enumerate(ranking):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank + 1)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return [key for key, _ in ranked]


def homer_files(homer, repo, question, mode):
    started = time.perf_counter()
    out = subprocess.run(
        [homer, "search", "--json", "--mode", mode, "--limit", "10", "--", question],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if out.returncode not in (0, 1):
        sys.exit(f"homer search failed in {repo}: {out.stderr}")
    results = json.loads(out.stdout)
    if mode != "text" and results["mode"] != mode:
        sys.exit(f"{repo}: asked for {mode}, got {results['mode']}: {results['note']}")
    return distinct_files(h.get("path") for h in results["hits"]), elapsed


def grep_files(repo, question):
    found = {}  # path -> [distinct words, lines]
    for w in words(question):
        out = subprocess.run(
            ["git", "grep", "-c", "-i", "-w", "-I", "--", w],
            cwd=repo,
            capture_output=True,
            text=True,
        )
        for line in out.stdout.splitlines():
            path, _, count = line.rpartition(":")
            entry = found.setdefault(path, [0, 0])
            entry[0] += 1
            entry[1] += int(count)
    ranked = sorted(found.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    return [p for p, _ in ranked[:10]]


def score(files, answers):
    """(recall@5, MRR@10, hit@5) of one ranked list of distinct files."""
    top5 = files[:5]
    recall = sum(1 for a in answers if a in top5) / len(answers)
    mrr = 0.0
    for i, f in enumerate(files[:10]):
        if f in answers:
            mrr = 1.0 / (i + 1)
            break
    hit = 1.0 if any(f in answers for f in top5) else 0.0
    return recall, mrr, hit


def repositories(questions):
    return [k for k in questions if not k.startswith("_")]


def groups(questions, names):
    """The pooled groups a table reports: each set of _sets (as far as it
    was asked for), every question of kind "paste", and all."""
    out = []
    for set_name, members in questions.get("_sets", {}).items():
        chosen = [n for n in members if n in names]
        if chosen:
            out.append((set_name, lambda repo, item, chosen=chosen: repo in chosen))
    out.append(("paste", lambda repo, item: item.get("kind") == "paste"))
    out.append(("all", lambda repo, item: True))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--homer", default=os.path.join(HERE, "..", "target", "release", "homer"))
    ap.add_argument("--corpus", default="/tmp/corpus")
    ap.add_argument("--repos", default="all", help="comma-separated, or all (every repository of the set)")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--no-grep", action="store_true", help="skip the git grep baseline")
    ap.add_argument("--misses", action="store_true")
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--out", help="write every question's scores here as JSON")
    args = ap.parse_args()
    homer = os.path.abspath(args.homer)
    with open(os.path.join(HERE, "search", "questions.json")) as f:
        questions = json.load(f)
    names = repositories(questions) if args.repos == "all" else args.repos.split(",")
    args.repos = ",".join(names)
    modes = args.modes.split(",")
    rankings = modes + ([] if args.no_grep else ["grep"])

    # One record per (repository, question, ranking).
    records = []
    times = {m: [] for m in modes}
    for name in names:
        repo = os.path.join(args.corpus, name)
        for item in questions[name]:
            answers = set(item["files"])
            for mode in rankings:
                elapsed = None
                if mode == "grep":
                    files = grep_files(repo, item["q"])
                else:
                    files, elapsed = homer_files(homer, repo, item["q"], mode)
                    times[mode].append(elapsed)
                r, m, h = score(files, answers)
                records.append({"repo": name, "q": item["q"], "kind": item.get("kind", "question"),
                                "ranking": mode, "recall5": r, "mrr10": m, "hit5": h,
                                "top5": files[:5],
                                "ms": None if elapsed is None else round(elapsed * 1000, 1)})
                if args.misses and mode == modes[-1] and r == 0:
                    print(f"miss {name} ({mode}): {item['q']!r} -> {files[:5]}", file=sys.stderr)

    def line(label, n, mode, chosen):
        k = len(chosen)
        r = sum(x["recall5"] for x in chosen) / k
        m = sum(x["mrr10"] for x in chosen) / k
        h = sum(x["hit5"] for x in chosen) / k
        name = "git grep" if mode == "grep" else mode
        print(f"{label:<13} {n:>3}  {name:<9} {r:>8.3f} {m:>7.3f} {h:>6.3f}")

    print(f"{'repository':<13} {'n':>3}  {'ranking':<9} {'recall@5':>8} {'MRR@10':>7} {'hit@5':>6}")
    for name in names:
        for mode in rankings:
            chosen = [x for x in records if x["repo"] == name and x["ranking"] == mode]
            line(name, len(chosen), mode, chosen)
    lookup = {(n, it["q"]): it for n in names for it in questions[n]}
    for label, keep in groups(questions, names):
        for mode in rankings:
            chosen = [x for x in records if x["ranking"] == mode and keep(x["repo"], lookup[(x["repo"], x["q"])])]
            if chosen:
                line(label, len(chosen), mode, chosen)
    if all(m in modes for m in MODES):
        paired(records, names, questions, lookup)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(records, f, indent=1)
    if args.sweep:
        sweep(homer, args, questions)
    for mode in modes:
        if times[mode]:
            per_repo = ", ".join(
                f"{name} {statistics.median(x['ms'] for x in records if x['repo'] == name and x['ranking'] == mode):.0f}"
                for name in names
            )
            print(f"median homer search --mode {mode}: {statistics.median(times[mode]) * 1000:.0f} ms "
                  f"({len(times[mode])} processes; {per_repo})")


def bootstrap(diffs, rounds=2000, seed=7):
    """95% interval of the mean of paired differences, by resampling the
    questions (seeded: the same scores print the same interval)."""
    import random

    rng = random.Random(seed)
    n = len(diffs)
    means = sorted(sum(rng.choice(diffs) for _ in range(n)) / n for _ in range(rounds))
    return means[int(0.025 * rounds)], means[int(0.975 * rounds) - 1]


def paired(records, names, questions, lookup):
    """Hybrid against the better of text and semantic, question by question:
    the mean difference of MRR@10 and its 95% bootstrap interval. An
    interval that holds 0 is a difference this many questions cannot tell
    from chance."""
    score = {(x["repo"], x["q"], x["ranking"]): x["mrr10"] for x in records}
    print()
    print("hybrid minus one ranking, MRR@10 per question: mean [95% interval]")
    print(f"{'repository':<15} {'n':>3}  {'vs text':>24}  {'vs semantic':>24}")
    rows = [(name, lambda repo, item, name=name: repo == name) for name in names]
    rows += groups(questions, names)
    for label, keep in rows:
        chosen = [(r, q) for (r, q) in lookup if keep(r, lookup[(r, q)])]
        if not chosen:
            continue
        cells = []
        for other in ("text", "semantic"):
            diffs = [score[(r, q, "hybrid")] - score[(r, q, other)] for r, q in chosen]
            low, high = bootstrap(diffs)
            cells.append(f"{sum(diffs) / len(diffs):+.3f} [{low:+.3f}, {high:+.3f}]")
        print(f"{label:<15} {len(chosen):>3}  {cells[0]:>24}  {cells[1]:>24}")


def sweep(homer, args, questions):
    settings = [(k, w) for k in (1, 10, 30, 60, 100) for w in (0.5, 1.0, 2.0)]
    print()
    print("fused here (no salience prior): k, text weight -> recall@5 / MRR@10 per repository")
    results = {s: {} for s in settings}
    for name in args.repos.split(","):
        repo = os.path.join(args.corpus, name)
        lists = []
        for item in questions[name]:
            text = homer_hits(homer, repo, item["q"], "text", 100)
            semantic = homer_hits(homer, repo, item["q"], "semantic", 100)
            lists.append((set(item["files"]), text, semantic))
        for k, w in settings:
            r_sum = m_sum = 0.0
            for answers, text, semantic in lists:
                fused = fuse([(w, text), (1.0, semantic)], k)
                r, m, _ = score(distinct_files(key[0] for key in fused), answers)
                r_sum += r
                m_sum += m
            results[(k, w)][name] = (r_sum / len(lists), m_sum / len(lists))
    names = args.repos.split(",")
    print(f"{'k':>4} {'w':>4}  " + "  ".join(f"{n:>15}" for n in names))
    for (k, w), per in results.items():
        cells = "  ".join(f"{per[n][0]:.3f} / {per[n][1]:.3f}" for n in names)
        print(f"{k:>4} {w:>4}  {cells}")


if __name__ == "__main__":
    main()
