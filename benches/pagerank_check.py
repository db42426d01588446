#!/usr/bin/env python3
"""Homer's PageRank, degrees and betweenness against networkx's, on every
corpus repository.

    pip install networkx scipy numpy     # from PyPI
    python3 benches/pagerank_check.py [--corpus ../shared/corpus] [--graph files]

For every bundle: a fresh clone, `homer update`, `homer export --graph
files --format jsonl`, then networkx's `pagerank` on the same nodes and
weighted edges with the same damping (0.85). Homer stops when an
iteration changes the scores by less than 1e-10 in total (L1); networkx
stops at `N * tol`, so it runs with `tol = 1e-10 / N` to stop at the same
point. Prints the largest per-node difference; fails above 1e-8. With
`--graph symbols`, the call graph (edge weight: count × confidence).

Degrees must be equal, and betweenness (raw sums of path shares, directed,
unweighted: networkx's `normalized=False`) within 1e-8 where Homer
computes it exactly (graphs of at most 4,000 nodes; above, from a seeded
sample of sources, it is not compared). The symbol graph's degrees and
betweenness are computed by the export itself, not read from the index.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 1e-8
# Homer's betweenness is exact up to this many nodes (`[graph]`'s default).
EXACT_UP_TO = 4000


def build():
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
    return ROOT / "target" / "release" / "homer"


def export(homer, repo, graph):
    out = subprocess.run(
        [str(homer), "export", "--graph", graph, "--format", "jsonl", "--repo", str(repo)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    nodes, edges = {}, []
    for line in out.splitlines():
        item = json.loads(line)
        if item["type"] == "node":
            nodes[item["id"]] = (item["kind"], item["attrs"])
        elif item["type"] == "edge":
            edges.append((item["source"], item["target"], item["weight"]))
    return nodes, edges


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--graph", default="files", choices=["files", "symbols"])
    args = parser.parse_args()
    bundles = sorted(Path(args.corpus).glob("*.bundle"))
    if not bundles:
        sys.exit(f"no bundles in {args.corpus}")
    homer = build()
    print("| repository | graph | nodes | edges | PageRank: max abs difference | max relative difference "
          "| degrees differing | betweenness: max abs difference |")
    print("|---|---|---|---|---|---|---|---|")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for bundle in bundles:
            repo = Path(tmp) / bundle.stem
            subprocess.run(["git", "-c", "init.defaultBranch=main", "clone", "-q", str(bundle), str(repo)], check=True)
            subprocess.run([str(homer), "update", "--repo", str(repo)], check=True, capture_output=True)
            nodes, edges = export(homer, repo, args.graph)
            g = nx.DiGraph()
            g.add_nodes_from(nodes)
            for a, b, w in edges:
                g.add_edge(a, b, weight=w)
            n = g.number_of_nodes()
            if n == 0:
                print(f"| {bundle.stem} | {args.graph} | 0 | 0 | - | - |")
                continue
            expected = nx.pagerank(g, alpha=0.85, tol=1e-10 / n, max_iter=10000, weight="weight")
            # In the symbol graph, files that call from their top level are
            # nodes, but their scores are the file graph's: compare symbols.
            kind = "file" if args.graph == "files" else "symbol"
            rank = "pagerank" if args.graph == "files" else "call_pagerank"
            ours = {k: attrs for k, (k_kind, attrs) in nodes.items() if k_kind == kind}
            missing = [k for k, a in ours.items() if a.get(rank) is None or a.get("betweenness") is None]
            if missing:
                failed = True
                print(f"{bundle.stem}: {len(missing)} nodes without a {rank} or a betweenness, e.g. {missing[:3]}")
                continue
            scores = {k: a[rank] for k, a in ours.items()}
            worst = max(abs(scores[k] - expected[k] * n) for k in scores) / n
            relative = max(abs(scores[k] - expected[k] * n) / (expected[k] * n) for k in scores)
            failed |= worst > LIMIT
            degrees = sum(
                1 for k, a in ours.items()
                if a.get("in_degree") != g.in_degree(k) or a.get("out_degree") != g.out_degree(k)
            )
            failed |= degrees > 0
            if n <= EXACT_UP_TO:
                between = nx.betweenness_centrality(g, normalized=False)
                apart = max(abs(a["betweenness"] - between[k]) for k, a in ours.items())
                failed |= apart > LIMIT
                apart = f"{apart:.2e}"
            else:
                apart = "sampled, not compared"
            print(f"| {bundle.stem} | {args.graph} | {n} | {g.number_of_edges()} | {worst:.2e} | {relative:.2e} "
                  f"| {degrees} | {apart} |", flush=True)
    if failed:
        sys.exit(f"some difference is above {LIMIT}")


if __name__ == "__main__":
    main()
