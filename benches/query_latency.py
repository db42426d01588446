#!/usr/bin/env python3
"""Whole-process latency of `homer query` on indexed repositories, and the
query plans of the statements a query runs.

For each repository: the most salient production file and the symbol
with the highest PageRank (both read from the index), each queried RUNS
times; prints the median and min-max wall time of one process. Then
`EXPLAIN QUERY PLAN` of the hot statements (taken from homer-store's
source text, so the plans shown are of the statements that run).

Usage: benches/query_latency.py [--homer target/release/homer]
           [--corpus /tmp/corpus] [--repos cobra,express,hono,requests,ripgrep]
           [--runs 21]
"""

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))

HOT = {
    "node by kind and name": "SELECT name, owner IS NOT NULL, attrs, content_hash FROM nodes WHERE kind = 1 AND name = 'x'",
    "values of a node": "SELECT vn.name, v.value FROM nodes n JOIN node_values v ON v.node = n.id JOIN value_names vn ON vn.code = v.name WHERE n.kind = 1 AND n.name = 'x' ORDER BY vn.name",
    "edges of a node": """SELECT e.id, t.key, e.weight, e.attrs, n.kind, n.name, m.role, m.attrs
        FROM edges e JOIN tasks t ON t.id = e.owner JOIN edge_members m ON m.edge = e.id
        JOIN nodes n ON n.id = m.node
        WHERE e.kind = 5 AND e.id IN (SELECT xm.edge FROM nodes x JOIN edge_members xm ON xm.node = x.id
                                      WHERE x.kind = 3 AND x.name = 'x')
        ORDER BY e.id, m.pos""",
    "names from a prefix": "SELECT name FROM nodes WHERE kind = 1 AND name >= 'src/' AND owner IS NOT NULL ORDER BY name LIMIT 100",
    "a node's vector": """SELECT e.vector FROM nodes n JOIN chunks c ON c.node = n.id
        JOIN embeddings e ON e.text_hash = c.embed_hash AND e.model = 'm'
        WHERE n.kind = 3 AND n.name = 'x' AND e.dim = 384 ORDER BY c.id LIMIT 1""",
    "nodes of a text": """SELECT DISTINCT n.kind, n.name FROM chunks c JOIN nodes n ON n.id = c.node
        WHERE c.embed_hash = 1 ORDER BY n.kind, n.name""",
}


def named(con, names):
    """SQL for the stored form of value names: codes since schema 6 (a
    baseline binary may have written an older index)."""
    quoted = ", ".join(f"'{n}'" for n in names)
    coded = con.execute("SELECT 1 FROM sqlite_schema WHERE name = 'value_names'").fetchone()
    return f"(SELECT code FROM value_names WHERE name IN ({quoted}))" if coded else f"({quoted})"


def history_counts(value):
    """The commits, added and deleted lines of a stored `history` value
    (`file_history` version 4: a file's history figures in one row, postcard, these three
    first, each a zigzag varint)."""
    out, i = [], 0
    for _ in range(3):
        n, shift = 0, 0
        while True:
            b = value[i]
            i += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        out.append((n >> 1) ^ -(n & 1))
    return tuple(out)


def salient(homer, repo, n):
    """The n most salient production files, as Homer reads them (`homer
    export`: the score is computed when read since schema 13, not stored),
    most salient first, ties by path."""
    out = subprocess.run([homer, "export", "--graph", "files"], cwd=repo,
                         capture_output=True, text=True, check=True).stdout
    files = []
    for line in out.splitlines():
        node = json.loads(line)
        attrs = node.get("attrs", {})
        if node.get("kind") == "file" and "salience" in attrs and "role" not in attrs:
            files.append((-attrs["salience"], node["id"]))
    return [name for _, name in sorted(files)[:n]]


def targets(db, homer, repo):
    """The most salient production file and the symbol with the highest
    PageRank."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    files = salient(homer, repo, 1)
    symbol = con.execute(
        f"""SELECT n.name FROM nodes n JOIN node_values v ON v.node = n.id
           WHERE n.kind = 3 AND n.owner IS NOT NULL
             AND v.name IN {named(con, ['pagerank', 'call_pagerank'])}
           ORDER BY v.value DESC, n.name LIMIT 1"""
    ).fetchone()
    return con, files[0], symbol[0]


def extremes(db, repo):
    """The largest parsed file (bytes at HEAD) and the symbol called from
    the most places: the answers that read the most rows."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    parsed = [r[0] for r in con.execute(
        f"""SELECT n.name FROM nodes n JOIN node_values v ON v.node = n.id
           WHERE n.kind = 1 AND v.name IN {named(con, ['language'])} AND n.owner IS NOT NULL""")]
    sizes = []
    for name in parsed:
        try:
            sizes.append((os.path.getsize(os.path.join(repo, name)), name))
        except OSError:
            pass
    largest = max(sizes)[1] if sizes else None
    called = con.execute(
        """SELECT n.name, count(*) AS c FROM edges e
           JOIN edge_members m ON m.edge = e.id AND m.role = 4
           JOIN nodes n ON n.id = m.node
           WHERE e.kind = 5 AND n.kind = 3
           GROUP BY n.id ORDER BY c DESC, n.name LIMIT 1""").fetchone()
    con.close()
    return largest, called[0] if called else None


def timed(cmd, cwd, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if out.returncode != 0:
            raise SystemExit(f"{cmd} failed: {out.stderr.decode()}")
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--homer", default=os.path.join(HERE, "..", "target", "release", "homer"))
    ap.add_argument("--corpus", default="/tmp/corpus")
    ap.add_argument("--repos", default="cobra,express,hono,requests,ripgrep")
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    homer = os.path.abspath(args.homer)
    ms = lambda ts: f"{statistics.median(ts) * 1000:.1f} ms ({min(ts) * 1000:.1f}-{max(ts) * 1000:.1f})"
    print("| repository | file | median (min-max) | symbol | median (min-max) |")
    print("|---|---|---|---|---|")
    con = None
    for name in args.repos.split(","):
        repo = os.path.join(args.corpus, name)
        con, file, symbol = targets(os.path.join(repo, ".homer", "homer.db"), homer, repo)
        f = timed([homer, "query", file], repo, args.runs)
        s = timed([homer, "query", symbol], repo, args.runs)
        print(f"| {name} | `{file}` | {ms(f)} | `{symbol}` | {ms(s)} |")
    print()
    for label, sql in HOT.items():
        plan = con.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
        print(f"{label}:")
        for row in plan:
            print(f"    {row[3]}")


if __name__ == "__main__":
    main()
