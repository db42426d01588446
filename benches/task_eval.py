#!/usr/bin/env python3
"""`homer render --task` measured on real commits.

Each commit is a task (its subject) with a known answer: the production
source files it modified. The index at its parent is what Homer would have
had. For each repository: a fresh local clone, its first-parent history,
and the last --commits commits that

- are not merges,
- modify (status M) 1 to 4 production source files: a language Homer
  parses, not a test, example, benchmark, fixture, vendored or generated
  path (other files may change beside them),
- have a subject of at least three words once pull-request numbers
  (`(#123)`, `#123`, `Merge pull request`) are stripped.

Oldest first, Homer steps forward: check out the commit's parent, `homer
update` (incremental after the first), `homer render --task SUBJECT
--budget 4000 --json`, and reads the files in the order the context
presents them. Measures, per commit, then averaged:

- recall@5: the share of the modified files among the first five files;
- MRR: 1 / the rank of the first modified file (0 when none is there);
- recall: the share of the modified files anywhere in the context;
- tokens: what the context used of the budget.

With --aider, aider's repo map as the peer (`benches/aider_rank.py`: no
files in the chat, the subject's words as mentioned identifiers, files in
the order of its ranking).

Beside it, what Homer's search alone finds (`homer search --limit 50`,
files in the order of their first hit: where the context starts), and a
keyword baseline over the same checkout: every production
source file scored by BM25 of the subject's words (identifier parts of at
least three letters, common English words left out) against the file's
path and text, best first.

The commits are split once, by their id (its first eight hex digits,
even or odd), into a tuning half and a held-out half; both are reported,
and changes to the ranking are to be decided on the tuning half only.

Not part of the test command; minutes per repository.

Usage: benches/task_eval.py [--homer target/release/homer]
           [--corpus /tmp/corpus] [--repos all | a,b] [--commits 100]
           [--budget 4000] [--embed] [--aider /tmp/aider-venv/bin/python]
           [--work /tmp/task-eval] [--out results.json] [--raw]
"""

import argparse
import collections
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MAX_FILES = 4

# What Homer parses (the full and tags tiers), by extension.
SOURCE = {
    ".py", ".pyi", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts",
    ".go", ".rs", ".java", ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx",
    ".cs", ".rb", ".php", ".kt", ".kts", ".swift", ".scala", ".sc", ".lua", ".sh",
    ".bash", ".zsh", ".ex", ".exs", ".erl", ".hrl", ".hs", ".zig", ".dart", ".r",
    ".elm", ".nix", ".tf", ".hcl", ".sol", ".gleam",
}
# Paths that are not the production code a task edits.
NOT_PRODUCTION = re.compile(
    r"(^|/)(tests?|testing|__tests__|spec|specs|test_?data|fixtures?|examples?|"
    r"benches|benchmarks?|bench|vendor|third_party|node_modules|dist|build|docs?)(/|$)"
    r"|(^|/)test_[^/]*$|_test\.[a-z]+$|\.(test|spec)\.[a-z]+$|Tests?\.[a-z]+$"
    r"|_spec\.rb$|\.min\.js$|\.d\.ts$"
)
STOP = set(
    "the a an and or of to in on for with from by at as is are be been was were it its "
    "this that these those into onto when not no use using used add adds added fix fixes "
    "fixed remove removes removed update updates updated make makes made allow allows "
    "support supports change changes changed more less new also can should would could "
    "some any all only via per after before than then now get set".split()
)
PR = re.compile(r"\(#\d+\)|#\d+|^Merge pull request\b.*?from \S+\s*", re.IGNORECASE)


def git(repo, *args, check=True):
    out = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if check and out.returncode != 0:
        sys.exit(f"git {' '.join(args)} failed in {repo}: {out.stderr}")
    return out.stdout


def production(path):
    _, ext = os.path.splitext(path)
    return ext.lower() in SOURCE and not NOT_PRODUCTION.search(path)


def subject_of(text):
    return " ".join(PR.sub(" ", text).split())


def words(text):
    """Identifier parts of at least three letters, lower case, no stopwords."""
    out = []
    for token in re.findall(r"[A-Za-z][A-Za-z0-9]*", text):
        for part in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", token):
            w = part.lower()
            if len(w) >= 3 and w not in STOP and not w.isdigit():
                out.append(w)
    return out


def tasks(repo, wanted):
    """The last `wanted` eligible first-parent commits, oldest first."""
    out = git(repo, "log", "--first-parent", "--no-merges", "--reverse", "--no-renames",
              "--name-status", "--format=@@%H%x00%P%x00%s")
    commits = []
    for line in out.splitlines():
        if line.startswith("@@"):
            sha, parents, subject = line[2:].split("\x00", 2)
            commits.append({"id": sha, "parents": parents.split(), "subject": subject,
                            "modified": []})
        elif line and commits:
            status, *paths = line.split("\t")
            if status == "M" and production(paths[-1]):
                commits[-1]["modified"].append(paths[-1])
    eligible = []
    for c in commits:
        subject = subject_of(c["subject"])
        if (len(c["parents"]) == 1 and 1 <= len(c["modified"]) <= MAX_FILES
                and len(subject.split()) >= 3):
            c["task"] = subject
            eligible.append(c)
    return eligible[-wanted:]


class Keyword:
    """BM25 over the production source files of the checkout; a file's
    words are read once per blob."""

    def __init__(self):
        self.by_blob = {}

    def rank(self, repo, query):
        listing = git(repo, "ls-tree", "-r", "HEAD")
        docs = []
        for line in listing.splitlines():
            meta, path = line.split("\t", 1)
            _, kind, blob = meta.split()
            if kind != "blob" or not production(path):
                continue
            counts = self.by_blob.get(blob)
            if counts is None:
                try:
                    with open(os.path.join(repo, path), encoding="utf-8", errors="replace") as f:
                        text = f.read(400_000)
                except OSError:
                    text = ""
                counts = collections.Counter(words(text) + words(path) * 3)
                self.by_blob[blob] = counts
            docs.append((path, counts))
        if not docs:
            return []
        n = len(docs)
        avg = sum(sum(c.values()) for _, c in docs) / n or 1.0
        terms = set(words(query))
        df = {t: sum(1 for _, c in docs if t in c) for t in terms}
        k1, b = 1.2, 0.75
        scored = []
        for path, c in docs:
            length = sum(c.values())
            s = 0.0
            for t in terms:
                tf = c.get(t, 0)
                if not tf:
                    continue
                idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                s += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avg))
            if s > 0:
                scored.append((-s, path))
        scored.sort()
        return [p for _, p in scored]


def measure(answer, ranked):
    answer = set(answer)
    first5 = ranked[:5]
    rank = next((i + 1 for i, p in enumerate(ranked) if p in answer), None)
    return {
        "recall5": len(answer & set(first5)) / len(answer),
        "mrr": 1.0 / rank if rank else 0.0,
        "recall": len(answer & set(ranked)) / len(answer),
    }


def evaluate(homer_bin, source, work, wanted, budget, embed, aider, raw=False):
    name = os.path.basename(source)
    repo = os.path.join(work, name)
    shutil.rmtree(repo, ignore_errors=True)
    git(work, "clone", "-q", source, repo)
    chosen = tasks(repo, wanted)
    keyword = Keyword()
    peer = None
    if aider:
        peer = subprocess.Popen([aider, os.path.join(HERE, "aider_rank.py"), repo],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
    rows = []
    latency = []
    env = dict(os.environ)
    if not embed:
        env["HOMER_MODEL_DIR"] = "/nonexistent"
    update = [homer_bin, "update"] + ([] if embed else ["--no-embed"])
    for c in chosen:
        git(repo, "checkout", "-q", "--detach", c["parents"][0])
        done = subprocess.run(update, cwd=repo, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            sys.exit(f"homer update failed in {repo}: {done.stderr}")
        started = time.perf_counter()
        # `--task=`: a subject may start with `-`.
        out = subprocess.run(
            [homer_bin, "render", f"--task={c['task']}", "--budget", str(budget), "--json"],
            cwd=repo, capture_output=True, text=True, env=env)
        latency.append((time.perf_counter() - started) * 1000)
        if out.returncode != 0:
            sys.exit(f"homer render failed in {repo} at {c['id']}: {out.stderr}")
        context = json.loads(out.stdout)
        homer_files = context["files"]
        # What the search the context starts from finds, files in hit order.
        found = subprocess.run(
            [homer_bin, "search", "--limit=50", "--json", "--", c["task"]],
            cwd=repo, capture_output=True, text=True, env=env)
        search_files = []
        hits = json.loads(found.stdout)["hits"] if found.returncode == 0 else []
        for hit in hits:
            p = hit.get("path")
            if p and p not in search_files:
                search_files.append(p)
        keyword_files = keyword.rank(repo, c["task"])
        row = {
            "commit": c["id"],
            "task": c["task"],
            "modified": c["modified"],
            "half": "tuning" if int(c["id"][:8], 16) % 2 == 0 else "held-out",
            "homer": measure(c["modified"], homer_files),
            "homer_first5": homer_files[:5],
            "tokens": context["tokens"],
            "keyword": measure(c["modified"], keyword_files),
            "search": measure(c["modified"], search_files),
        }
        if raw:
            # What a ranking experiment needs offline: every list in full.
            row["raw"] = {
                "context_files": homer_files,
                "search_hits": [[h.get("path"), h.get("symbol"), h.get("score")] for h in hits],
                "keyword_files": keyword_files[:50],
                # The co-change lines at the context's head.
                "partners": re.findall(r"^- `([^`]+)` \(with `", context["text"], re.M),
                # Each file's place in the rankings the order fuses.
                "why": context.get("why"),
            }
        if peer:
            files = [f for f in git(repo, "ls-files").splitlines() if f]
            peer.stdin.write(json.dumps({"task": c["task"], "files": files}) + "\n")
            peer.stdin.flush()
            row["aider"] = measure(c["modified"], json.loads(peer.stdout.readline()))
        rows.append(row)
    if peer:
        peer.stdin.close()
        peer.wait()
    return {"repo": name, "rows": rows, "latency_ms": latency}


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def line(repo, half, rows):
    cells = [repo, half, str(len(rows)),
             f"{mean([x['homer']['recall5'] for x in rows]):.2f}",
             f"{mean([x['homer']['mrr'] for x in rows]):.2f}",
             f"{mean([x['homer']['recall'] for x in rows]):.2f}",
             f"{mean([x['tokens'] for x in rows]):.0f}",
             f"{mean([x['keyword']['recall5'] for x in rows]):.2f}",
             f"{mean([x['keyword']['mrr'] for x in rows]):.2f}"]
    cells += [f"{mean([x['search']['recall5'] for x in rows if 'search' in x]):.2f}",
              f"{mean([x['search']['mrr'] for x in rows if 'search' in x]):.2f}"]
    peer = [x["aider"] for x in rows if "aider" in x]
    cells += ([f"{mean([p['recall5'] for p in peer]):.2f}", f"{mean([p['mrr'] for p in peer]):.2f}"]
              if peer else ["–", "–"])
    print("| " + " | ".join(cells) + " |")


def table(results):
    print("| repository | half | commits | Homer recall@5 | Homer MRR | Homer recall | tokens "
          "| keyword recall@5 | keyword MRR | search alone recall@5 | search alone MRR "
          "| aider recall@5 | aider MRR |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    pooled = collections.defaultdict(list)
    for r in results:
        for half in ("tuning", "held-out"):
            rows = [x for x in r["rows"] if x["half"] == half]
            pooled[half].extend(rows)
            if rows:
                line(r["repo"], half, rows)
    for half, rows in pooled.items():
        if rows:
            line("**pooled**", half, rows)
    print()
    print("| repository | `render --task` median | p90 |")
    print("|---|---|---|")
    for r in results:
        ms = sorted(r["latency_ms"])
        if ms:
            print(f"| {r['repo']} | {ms[len(ms) // 2]:.0f} ms | {ms[int(len(ms) * 0.9)]:.0f} ms |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--homer", default=os.path.join(ROOT, "target", "release", "homer"))
    ap.add_argument("--corpus", default="/tmp/corpus")
    ap.add_argument("--repos", default="all")
    ap.add_argument("--commits", type=int, default=100)
    ap.add_argument("--budget", type=int, default=4000)
    ap.add_argument("--embed", action="store_true",
                    help="index with embeddings (the default mode; slow on two cores)")
    ap.add_argument("--aider", default=None,
                    help="a Python with aider-chat installed: aider's repo map as the peer")
    ap.add_argument("--work", default="/tmp/task-eval")
    ap.add_argument("--out", default=None)
    ap.add_argument("--raw", action="store_true",
                    help="keep every ranked list in --out (context files, search hits, keyword files)")
    args = ap.parse_args()
    names = (sorted(os.listdir(args.corpus)) if args.repos == "all"
             else args.repos.split(","))
    os.makedirs(args.work, exist_ok=True)
    results = []
    for name in names:
        source = os.path.join(args.corpus, name)
        if not os.path.isdir(os.path.join(source, ".git")):
            continue
        started = time.perf_counter()
        r = evaluate(args.homer, source, args.work, args.commits, args.budget, args.embed,
                     args.aider, args.raw)
        print(f"{name}: {len(r['rows'])} commits in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
        results.append(r)
    table(results)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
