"""What the call graph changes downstream: the ten most salient files and
the ten symbols with the highest call PageRank of each repository, by two
builds of Homer side by side.

    python3 benches/call_effects.py BEFORE_HOMER AFTER_HOMER [--corpus /tmp/corpus]
                                    [--repos cobra,requests] [--top 10]

Each build indexes its own clone of each repository (`homer update
--no-embed`) and the lists are read from `homer export --graph files` and
`--graph symbols`. Files with a role (tests, examples, generated...) are
left out of the salience list, as `benches/top_salience.py` does.
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile


def index(homer, source, work):
    repo = os.path.join(work, "repo")
    subprocess.run(["git", "clone", "-q", "--no-local", source, repo], check=True)
    subprocess.run([homer, "update", "--no-embed", "--repo", repo], check=True, capture_output=True)
    def export(graph):
        out = subprocess.run(
            [homer, "export", "--graph", graph, "--format", "jsonl", "--repo", repo],
            check=True, capture_output=True, text=True,
        ).stdout
        return [json.loads(line) for line in out.splitlines()]
    files = [
        n for n in export("files")
        if n.get("type") == "node" and not n.get("attrs", {}).get("role")
    ]
    files.sort(key=lambda n: (-float(n["attrs"].get("salience", 0)), n["id"]))
    symbols = [n for n in export("symbols") if n.get("type") == "node" and n.get("kind", "symbol") != "file"]
    symbols = [n for n in symbols if "call_pagerank" in n.get("attrs", {})]
    symbols.sort(key=lambda n: (-float(n["attrs"]["call_pagerank"]), n["id"]))
    shutil.rmtree(repo)
    return files, symbols


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--corpus", default="/tmp/corpus")
    ap.add_argument("--repos", default="cobra,express,hono,requests,ripgrep,javapoet")
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args()
    for name in args.repos.split(","):
        source = os.path.join(args.corpus, name)
        lists = []
        for homer in (args.before, args.after):
            with tempfile.TemporaryDirectory() as work:
                lists.append(index(homer, source, work))
        (fb, sb), (fa, sa) = lists
        print(f"\n#### {name}\n")
        print("| # | salience, before | salience, after | call PageRank, before | call PageRank, after |")
        print("|---|---|---|---|---|")
        for i in range(args.top):
            cell = lambda xs, key: (
                f"`{xs[i]['id']}` {float(xs[i]['attrs'][key]):.2f}" if i < len(xs) else ""
            )
            print(
                f"| {i + 1} | {cell(fb, 'salience')} | {cell(fa, 'salience')} "
                f"| {cell(sb, 'call_pagerank')} | {cell(sa, 'call_pagerank')} |"
            )
        moved = len({n["id"] for n in sa[: args.top]} - {n["id"] for n in sb[: args.top]})
        print(f"\n{moved} of the top {args.top} symbols are new after; "
              f"{len({n['id'] for n in fa[:args.top]} - {n['id'] for n in fb[:args.top]})} of the top {args.top} files.")


if __name__ == "__main__":
    main()
