#!/usr/bin/env python3
"""A file's history is the sum of its records: checks Homer's per-file
commits, lines added and lines deleted against git's own output.

    python3 benches/lineage_check.py REPO [REPO ...] [--homer target/release/homer]

For each repository it runs `homer update --no-embed` (unless --no-update)
and derives, from git alone, what every file at HEAD must show:

- every commit reachable from HEAD with its parents and committer time
  (`git log --format`), put in Homer's documented order: topological,
  oldest first, ties by committer time and then id;
- the records of `git log --numstat -M --no-merges` (gitlinks left out, as
  Homer counts no submodule as a file);
- each file's lineage, walking that order from the newest commit back: a
  path belongs to the current files it will become; a rename hands the new
  name's files to the old name for the commits before it; an add or a
  delete ends nothing (a path deleted and created again keeps every record,
  a file added on two merged branches too).

It compares commits (distinct commits among the records), lines added and
lines deleted (binary records count 0) with the values Homer stored for the
file, and prints the counts; any difference is listed and fails the run.
Nothing here reads Homer's code: only git's output and Homer's index.
"""

import argparse
import heapq
import sqlite3
import subprocess
import sys
from pathlib import Path

from query_latency import history_counts

ROOT = Path(__file__).resolve().parent.parent


def git(repo, *args):
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True
    ).stdout


def commit_order(repo):
    """Every commit reachable from HEAD, oldest first, in Homer's order."""
    out = git(repo, "log", "--format=%H %ct %P", "HEAD").decode()
    parents, time = {}, {}
    for line in out.splitlines():
        parts = line.split()
        sha, t, ps = parts[0], int(parts[1]), parts[2:]
        parents[sha], time[sha] = ps, t
    waiting = {sha: 0 for sha in parents}
    children = {sha: [] for sha in parents}
    for sha, ps in parents.items():
        for p in ps:
            if p in parents:
                waiting[sha] += 1
                children[p].append(sha)
    ready = [(time[s], s) for s, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, sha = heapq.heappop(ready)
        order.append(sha)
        for c in children[sha]:
            waiting[c] -= 1
            if waiting[c] == 0:
                heapq.heappush(ready, (time[c], c))
    return order


def gitlinks(repo):
    """(commit, path) of every change involving a submodule."""
    raw = git(repo, "log", "--raw", "-M", "--no-merges", "-z", "--format=%x01%H")
    out = set()
    for block in raw.split(b"\x01")[1:]:
        sha, _, rest = block.partition(b"\x00")
        fields = rest.lstrip(b"\n").split(b"\x00")
        i = 0
        while i < len(fields):
            meta = fields[i]
            i += 1
            if not meta:
                continue
            parts = meta.decode().lstrip(":").split(" ")
            status = parts[4] if len(parts) > 4 else ""
            path = fields[i]
            i += 1
            if status[:1] in ("R", "C"):
                path = fields[i]
                i += 1
            if parts[0] == "160000" or parts[1] == "160000":
                out.add((sha.decode(), path))
    return out


def records(repo):
    """commit -> [(path, added, deleted, old path or None)]."""
    links = gitlinks(repo)
    raw = git(repo, "log", "--numstat", "-M", "--no-merges", "-z", "--format=%x01%H")
    out = {}
    for block in raw.split(b"\x01")[1:]:
        sha, _, rest = block.partition(b"\x00")
        sha = sha.decode()
        fields = rest.lstrip(b"\n").split(b"\x00")
        changes = []
        i = 0
        while i < len(fields):
            field = fields[i]
            i += 1
            if not field:
                continue
            added, deleted, path = field.split(b"\t", 2)
            old = None
            if not path:
                old, path = fields[i], fields[i + 1]
                i += 2
            if (sha, path) in links:
                continue
            count = lambda v: 0 if v == b"-" else int(v)
            changes.append((path, count(added), count(deleted), old))
        out[sha] = changes
    return out


def lineages(order, recs, current):
    """current path -> set of (commit, record index)."""
    claims = {p: [p] for p in current}
    touches = {p: set() for p in current}
    for sha in reversed(order):
        changes = recs.get(sha, [])
        for k, (path, _, _, _) in enumerate(changes):
            for f in claims.get(path, []):
                touches[f].add((sha, k))
        handed = [(old, list(claims.get(path, []))) for path, _, _, old in changes if old]
        for old, files in handed:
            claims[old] = files
    return touches


def expected(repo):
    order = commit_order(repo)
    recs = records(repo)
    listing = git(repo, "ls-tree", "-r", "-z", "HEAD")
    current = []
    for entry in listing.split(b"\x00"):
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        if meta.split(b" ")[1] == b"blob":
            current.append(path)
    out = {}
    for path, touches in lineages(order, recs, current).items():
        commits = {sha for sha, _ in touches}
        added = sum(recs[sha][k][1] for sha, k in touches)
        deleted = sum(recs[sha][k][2] for sha, k in touches)
        out[path] = (len(commits), added, deleted)
    return out


def stored(repo):
    """Homer's commits, lines_added, lines_deleted per file, by path bytes."""
    db = sqlite3.connect(f"file:{repo}/.homer/homer.db?mode=ro", uri=True)
    rows = db.execute(
        "SELECT n.name, v.value FROM node_values v JOIN nodes n ON n.id = v.node "
        "JOIN value_names vn ON vn.code = v.name WHERE n.kind = 1 AND vn.name = 'history'"
    )
    return {name.encode(): history_counts(value) for name, value in rows}


def check(repo, homer, update):
    if update:
        subprocess.run([str(homer), "update", "--no-embed", "--repo", str(repo)],
                       check=True, capture_output=True)
    want = expected(repo)
    have = stored(repo)
    equal, different, unnamed, unrecorded = 0, [], 0, 0
    for path, counts in sorted(want.items()):
        try:
            path.decode("utf-8")
        except UnicodeDecodeError:
            # Homer names such a path in git's quoted form.
            unnamed += 1
            continue
        # A file no non-merge commit touched (brought in by a merge) has no
        # record; Homer then stores no metrics for it.
        if counts[0] == 0:
            unrecorded += 1
            counts = (None, None, None)
        if have.get(path, (None, None, None)) == counts:
            equal += 1
        else:
            different.append((path.decode(), counts, have.get(path)))
    total = sum(c for c, _, _ in want.values())
    extra = []
    if unrecorded:
        extra.append(f"{unrecorded} without a record (added by a merge), none stored")
    if unnamed:
        extra.append(f"{unnamed} with non-UTF-8 names not compared")
    print(f"{repo.name}: {len(want)} files at HEAD, {equal} equal, {len(different)} different"
          f"{''.join('; ' + e for e in extra)} ({total} commit-file touches in all)")
    for path, w, h in different[:10]:
        print(f"  {path}: git says (commits, added, deleted) = {w}, Homer {h}")
    return not different


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--homer", type=Path, default=ROOT / "target" / "release" / "homer")
    parser.add_argument("--no-update", action="store_true",
                        help="compare with the index as it is")
    args = parser.parse_args()
    ok = all([check(r.resolve(), args.homer, not args.no_update) for r in args.repos])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
