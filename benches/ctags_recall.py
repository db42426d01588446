#!/usr/bin/env python3
"""Definition recall and precision of Homer against universal-ctags.

    python3 benches/ctags_recall.py [--corpus ../shared/corpus] [--misses 10]

For every bundle in the corpus: a fresh clone, `homer update`, Homer's
symbols read from .homer/homer.db, and `ctags` run on the files Homer
parsed. A ctags tag of a kind counted here (functions, methods, classes and
their kin in each language, as ctags names them) is matched by a Homer
definition of the same name in the same file whose span contains the tag's
line. Recall: matched ctags tags / ctags tags. Precision: Homer definitions
of the counted kinds that ctags also has / those Homer definitions.

ctags' JavaScript parser names every anonymous callback
(`AnonymousFunction1a2b...`) and its C++ parser every anonymous enum or
lambda (`__anon...`); those are not definitions anyone looks up and are
left out. Lua tags carry their table path (`M.f`), compared by their last
name. ctags' Lua and shell parsers read lines, not syntax, and tag what
is no definition (`local ok, x = pcall(function() ...` as a function x,
`COMPREPLY=()` as a function `COMPREPLY=`): a Lua or shell tag whose line
does not define a function of its name is left out and counted apart.
Debian's universal-ctags 5.9 has no Swift or Scala parser: those files are
counted, not checked. Needs `ctags` (Debian: universal-ctags).
"""

import argparse
import collections
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def operator_name(name):
    """A C++ operator's name with a space only between two words."""
    out = ""
    for word in name.split():
        if out and (out[-1].isalnum() or out[-1] == "_") and (word[0].isalnum() or word[0] == "_"):
            out += " "
        out += word
    return out


# ctags kinds counted, per ctags language name.
CTAGS_KINDS = {
    "Rust": {"function", "method", "struct", "enum", "interface"},
    "Python": {"function", "member", "class"},
    "JavaScript": {"function", "method", "class"},
    "TypeScript": {"function", "method", "class", "interface", "enum"},
    "Go": {"func", "interface", "methodSpec", "struct"},
    "Java": {"class", "method", "interface", "enum"},
    "C": {"function", "struct", "enum", "typedef"},
    "C++": {"function", "class", "struct", "enum", "namespace"},
    "C#": {"class", "method", "interface", "enum", "struct"},
    "Ruby": {"method", "singletonMethod", "class", "module"},
    "Kotlin": {"class", "interface", "method", "object"},
    "PHP": {"class", "function", "interface", "trait"},
    "Lua": {"function"},
    "Sh": {"function"},
    "Elixir": {"function", "module", "macro", "protocol", "delegate", "guard"},
    "Erlang": {"function", "record", "type"},
    "Haskell": {"function", "type"},
    "R": {"function"},
    "Elm": {"function", "type", "alias", "port"},
}
# Homer kinds counted for precision.
HOMER_KINDS = {"function", "method", "class", "struct", "enum", "trait", "interface"}
HOMER_TO_CTAGS = {
    "rust": "Rust", "python": "Python", "javascript": "JavaScript", "typescript": "TypeScript",
    "tsx": "TypeScript", "go": "Go", "java": "Java", "c": "C", "cpp": "C++", "csharp": "C#", "ruby": "Ruby",
    "kotlin": "Kotlin", "php": "PHP", "lua": "Lua", "bash": "Sh",
    # Debian's universal-ctags (5.9) has no Swift or Scala parser: no reference.
    "swift": None, "scala": None,
    # The tags tier: ctags reads five of them.
    "elixir": "Elixir", "erlang": "Erlang", "haskell": "Haskell", "r": "R", "elm": "Elm",
    "zig": None, "dart": None, "nix": None, "hcl": None, "solidity": None, "gleam": None,
}
# The index stores each file's language by its label (`C++`, `TSX`).
HOMER_TO_CTAGS.update({
    "Rust": "Rust", "Python": "Python", "JavaScript": "JavaScript", "TypeScript": "TypeScript",
    "TSX": "TypeScript", "Go": "Go", "Java": "Java", "C": "C", "C++": "C++", "C#": "C#",
    "Ruby": "Ruby", "Kotlin": "Kotlin", "PHP": "PHP", "Lua": "Lua", "Bash": "Sh",
    "Swift": None, "Scala": None,
    "Elixir": "Elixir", "Erlang": "Erlang", "Haskell": "Haskell", "R": "R", "Elm": "Elm",
    "Zig": None, "Dart": None, "Nix": None, "HCL": None, "Solidity": None, "Gleam": None,
})


def build():
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
    return ROOT / "target" / "release" / "homer"


def homer_symbols(db):
    """{path: [(name, kind, start, end)]} and {path: language}."""
    con = sqlite3.connect(db)
    symbols = collections.defaultdict(list)
    for name, attrs in con.execute("SELECT name, attrs FROM nodes WHERE kind = 3"):
        path = name.split("::", 1)[0]
        a = json.loads(attrs)
        if isinstance(a, list):
            # [kind, name, line, end, signature, exported, doc, parent]
            a = {"kind": a[0], "name": a[1], "line": a[2], "end": a[3]}
        symbols[path].append((a["name"], a["kind"], a["line"], a["end"]))
    languages = {}
    for name, value in con.execute(
        "SELECT n.name, v.value FROM node_values v JOIN nodes n ON n.id = v.node "
        "JOIN value_names vn ON vn.code = v.name WHERE vn.name = 'language'"
    ):
        languages[name] = value
    return symbols, languages


def source_line(repo, path, line, cache={}):
    """Line `line` (1-based) of `path` in `repo`, files read once."""
    key = (str(repo), path)
    if key not in cache:
        try:
            cache[key] = (repo / path).read_text(errors="replace").splitlines()
        except OSError:
            cache[key] = []
    lines = cache[key]
    return lines[line - 1] if 0 < line <= len(lines) else ""


def declares_class(repo, path, line):
    """Whether a JavaScript line that ctags tags as a class declares one
    (`class X`, a constructor `function X`, a prototype): ctags also calls
    an object literal assigned to a variable (`var req = { ... }`) a class."""
    text = source_line(repo, path, line)
    return any(word in text for word in ("class ", "function", "prototype"))


def defines_function(repo, tag):
    """Whether a Lua or shell line that ctags tags as a function defines a
    function of that name. Both ctags parsers read lines, not syntax: Lua's
    takes any `x = ...function(` for a definition of x (`local ok, x =
    pcall(function() ...`, a call that takes a callback; or the word
    `function` inside a string), and the shell one reads `COMPREPLY=()` as
    a header of a function named `COMPREPLY=`. Such tags are left out and
    counted apart."""
    text = source_line(repo, tag["path"], tag["line"])
    name = re.escape(tag["name"])
    if tag["language"] == "Lua":
        return bool(
            re.search(rf"\bfunction\s+{name}\s*\(", text)
            or re.search(rf"(^|[\s,{{;]){name}\s*=\s*([\w.\[\]\"']+\s+(or|and)\s+)?function\b", text)
        )
    # `X=()` is an assignment whatever ctags names it.
    if "=" in tag["name"]:
        return False
    return bool(re.search(rf"(^|\s){name}\s*\(\s*\)|\bfunction\s+{name}\b", text))


def ctags(repo, files):
    """{path: [(name, kind, line, language)]}, and the tags left out as
    misread by language."""
    tags = collections.defaultdict(list)
    misread = collections.Counter()
    chunk = 200
    for i in range(0, len(files), chunk):
        out = subprocess.run(
            ["ctags", "--output-format=json", "--fields=+nKl", "-f", "-", *files[i:i + chunk]],
            cwd=repo, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        ).stdout
        for line in out.splitlines():
            try:
                t = json.loads(line)
            except json.JSONDecodeError:
                continue
            # Anonymous: closures and lambdas (`<lambda>` in Kotlin).
            if t.get("_type") != "tag" or t["name"].startswith(("AnonymousFunction", "__anon", "<")):
                continue
            if t.get("language") == "JavaScript" and t["kind"] == "class" and not declares_class(
                repo, t["path"], t["line"]
            ):
                continue
            if t["kind"] in CTAGS_KINDS.get(t.get("language"), ()):
                if t["language"] in ("Lua", "Sh") and not defines_function(repo, t):
                    misread[t["language"]] += 1
                    continue
                name = t["name"]
                # Lua's `function M.f()` and `function M:f()` are tagged by
                # the whole path; Homer's name is `f` (qualified `M.f`).
                if t["language"] == "Lua":
                    name = name.replace(":", ".").rsplit(".", 1)[-1]
                # ctags names an Elm type with its parameters (`Codec e a`).
                if t["language"] == "Elm":
                    name = name.split(" ", 1)[0]
                # ctags writes `operator ==`; Homer `operator==`.
                if t["language"] == "C++" and name.startswith("operator "):
                    name = operator_name(name)
                tags[t["path"]].append((name, t["kind"], t["line"], t["language"]))
    return tags, misread


def compare(repo, homer, misses):
    subprocess.run([str(homer), "update", "--repo", str(repo)], check=True, stdout=subprocess.DEVNULL)
    symbols, languages = homer_symbols(repo / ".homer" / "homer.db")
    files = sorted(languages)
    tags, misread = ctags(repo, files)
    rows = collections.defaultdict(lambda: collections.Counter())
    by_kind = collections.defaultdict(lambda: collections.Counter())
    missed = collections.defaultdict(list)
    extra = collections.defaultdict(list)
    unchecked = collections.Counter()
    for path in files:
        language = HOMER_TO_CTAGS[languages[path]]
        if language is None:
            unchecked[languages[path]] += len(symbols.get(path, []))
            continue
        defs = symbols.get(path, [])
        for name, kind, line, lang in tags.get(path, []):
            rows[lang]["ctags"] += 1
            by_kind[(lang, kind)]["ctags"] += 1
            if any(n == name and start <= line <= end for n, _, start, end in defs):
                rows[lang]["found"] += 1
                by_kind[(lang, kind)]["found"] += 1
            else:
                missed[lang].append(f"{path}:{line} {kind} {name}")
        for name, kind, start, end in defs:
            if kind not in HOMER_KINDS:
                continue
            rows[language]["homer"] += 1
            if any(n == name and start <= line <= end for n, _, line, _ in tags.get(path, [])):
                rows[language]["confirmed"] += 1
            else:
                extra[language].append(f"{path}:{start} {kind} {name}")
    for lang, n in sorted(unchecked.items()):
        print(f"| {repo.name} | {lang} | no reference | | | {n} | |", flush=True)
    for lang, c in sorted(rows.items()):
        recall = f"{c['found'] / c['ctags']:.1%}" if c["ctags"] else "—"
        precision = f"{c['confirmed'] / c['homer']:.1%}" if c["homer"] else "—"
        print(
            f"| {repo.name} | {lang} | {c['ctags']} | {c['found']} | {recall} | {c['homer']} | {precision} |",
            flush=True,
        )
        kinds = ", ".join(
            f"{kind} {k['found']}/{k['ctags']}" for (l, kind), k in sorted(by_kind.items()) if l == lang
        )
        left_out = f"; misread by ctags, left out: {misread[lang]}" if misread[lang] else ""
        print(f"|   | by ctags kind: {kinds}{left_out} | | | | | |", flush=True)
        if misses:
            for m in missed[lang][:misses]:
                print(f"    missed: {m}", file=sys.stderr)
            for m in extra[lang][:misses]:
                print(f"    only Homer: {m}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--misses", type=int, default=0, help="print this many misses per language")
    parser.add_argument(
        "--repo", action="append", default=[],
        help="a git repository to measure in place instead of the corpus (repeatable)",
    )
    args = parser.parse_args()
    bundles = [] if args.repo else sorted(Path(args.corpus).glob("*.bundle"))
    if not bundles and not args.repo:
        sys.exit(f"no bundles in {args.corpus}")
    homer = build()
    print("| repository | language | ctags tags | found by Homer | recall | Homer definitions | also in ctags |")
    print("|---|---|---|---|---|---|---|")
    for repo in args.repo:
        compare(Path(repo).resolve(), homer, args.misses)
    with tempfile.TemporaryDirectory() as tmp:
        for bundle in bundles:
            repo = Path(tmp) / bundle.stem
            subprocess.run(["git", "-c", "init.defaultBranch=main", "clone", "-q", str(bundle), str(repo)], check=True)
            compare(repo, homer, args.misses)


if __name__ == "__main__":
    main()
