#!/usr/bin/env python3
"""Whether any fusion of Homer's two rankings meets the per-repository
target of the semantic-search issue (hybrid MRR@10 >= the better of text
and semantic on every repository), without building Homer once per try.

For every question of benches/search/questions.json it asks

    homer search --json --mode text|semantic|hybrid --limit 100 -- QUESTION

once, then re-fuses the text and semantic hits here (by definition:
path, symbol, first line) with the scores Homer printed, which include
its rules (tests and prose weighed down, pasted text up) and salience:

    weighted   text + w * semantic, for w in --weights
    file-aware a chunk also gets its file's best semantic score
               (share 1 - a), for a in 0 and 0.5
    file-level a chunk also gets g times its file's best fused score

and prints MRR@10 per repository for each, marking with * the ones below
max(text, semantic), and the repositories each misses. `real` is Homer's
own hybrid ranking, the check that the re-fusion stands for it.

This reads the evaluation set to compare fusions; it chooses nothing.

Usage: benches/search_fusion.py [--homer target/release/homer]
           [--corpus /tmp/corpus] [--cache hits.json]
"""

import argparse
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from search_eval import distinct_files, score  # noqa: E402


def collect(homer, corpus, questions):
    out = []
    for repo, items in questions.items():
        if repo.startswith("_"):
            continue
        for item in items:
            record = {"repo": repo, "files": item["files"]}
            for mode in ("text", "semantic", "hybrid"):
                run = subprocess.run(
                    [homer, "search", "--json", "--mode", mode, "--limit", "100", "--", item["q"]],
                    cwd=os.path.join(corpus, repo),
                    capture_output=True,
                    text=True,
                    check=False,
                )
                hits = json.loads(run.stdout)["hits"] if run.stdout else []
                record[mode] = [
                    [h["path"] or "", h["symbol"] or "", h["lines"][0], h["score"]] for h in hits
                ]
            out.append(record)
    return out


def mrr(paths, answers):
    """MRR@10 of a ranked list of paths, as search_eval.py counts it."""
    return score(distinct_files(paths), answers)[1]


def ranked(scores):
    return [key[0] for key, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]


def weighted(w):
    def fuse(text, semantic):
        out = collections.defaultdict(float)
        for k, v in text.items():
            out[k] += v
        for k, v in semantic.items():
            out[k] += w * v
        return out

    return fuse


def file_aware(a, w=0.2):
    def fuse(text, semantic):
        best = collections.defaultdict(float)
        for k, v in semantic.items():
            best[k[0]] = max(best[k[0]], v)
        out = collections.defaultdict(float)
        for k in set(text) | set(semantic):
            out[k] = text.get(k, 0.0) + w * (a * semantic.get(k, 0.0) + (1 - a) * best[k[0]])
        return out

    return fuse


def file_level(g, w=0.2):
    def fuse(text, semantic):
        bt = collections.defaultdict(float)
        bs = collections.defaultdict(float)
        for k, v in text.items():
            bt[k[0]] = max(bt[k[0]], v)
        for k, v in semantic.items():
            bs[k[0]] = max(bs[k[0]], v)
        return {
            k: text.get(k, 0.0) + w * semantic.get(k, 0.0) + g * (bt[k[0]] + w * bs[k[0]])
            for k in set(text) | set(semantic)
        }

    return fuse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--homer", default=os.path.join(HERE, "..", "target", "release", "homer"))
    ap.add_argument("--corpus", default="/tmp/corpus")
    ap.add_argument("--cache", help="keep the hits here, and read them from here when present")
    ap.add_argument("--weights", default="0.05,0.1,0.2,0.3,0.5")
    args = ap.parse_args()
    questions = json.load(open(os.path.join(HERE, "search", "questions.json")))
    if args.cache and os.path.exists(args.cache):
        records = json.load(open(args.cache))
    else:
        records = collect(args.homer, args.corpus, questions)
        if args.cache:
            json.dump(records, open(args.cache, "w"))
    fusions = {"text": lambda t, s: t, "semantic": lambda t, s: s}
    for w in args.weights.split(","):
        fusions[f"w={w}"] = weighted(float(w))
    fusions["file-aware a=0"] = file_aware(0.0)
    fusions["file-aware a=0.5"] = file_aware(0.5)
    fusions["file-level g=0.5"] = file_level(0.5)
    fusions["file-level g=1"] = file_level(1.0)
    scores = collections.defaultdict(lambda: collections.defaultdict(list))
    for r in records:
        answers = set(r["files"])
        scores[r["repo"]]["real"].append(mrr([h[0] for h in r["hybrid"]], answers))
        text = {tuple(h[:3]): h[3] for h in r["text"]}
        semantic = {tuple(h[:3]): h[3] for h in r["semantic"]}
        for name, fuse in fusions.items():
            scores[r["repo"]][name].append(mrr(ranked(fuse(text, semantic)), answers))
    order = [repo for names in questions["_sets"].values() for repo in names]
    names = ["real"] + list(fusions)
    print("MRR@10; * below max(text, semantic)")
    print(f"{'':18}" + "".join(f"{r[:9]:>10}" for r in order) + f"{'pooled':>10}")
    for name in names:
        cells = ""
        misses = []
        for repo in order:
            mean = lambda n: sum(scores[repo][n]) / len(scores[repo][n])  # noqa: E731
            best = max(mean("text"), mean("semantic"))
            value = mean(name)
            below = name not in ("text", "semantic") and value < best - 1e-9
            if below:
                misses.append(f"{repo} {value - best:+.3f}")
            cells += f"{value:9.3f}{'*' if below else ' '}"
        pooled = [x for repo in order for x in scores[repo][name]]
        print(f"{name:18}{cells}{sum(pooled) / len(pooled):9.3f}")
        if misses:
            print(f"{'':18}misses: {', '.join(misses)}")


if __name__ == "__main__":
    main()
