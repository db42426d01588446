"""Homer's call graph against a type checker's: precision, recall and the
calibration of guesses, per corpus repository and language.

    python3 benches/call_accuracy.py [--corpus /tmp/corpus] [--repos requests,hono]
                                     [--homer-sites BIN] [--misses N] [--out FILE]

For each repository, Homer's call sites come from the `call_sites` tool
(`cargo run --release -p homer-benches --bin call_sites`, built first
unless `--homer-sites` names a binary) and the reference's from the
checker of each language it has (`benches/calls/`): jedi for Python, the
TypeScript compiler for TypeScript and JavaScript, javac for Java, go/types
for Go, rust-analyzer's library crates for Rust. What each needs: `pip
install jedi`, `npm install --prefix benches/calls` (typescript 5.9.3), a
JDK (17 here), `golang-go`; the Rust one builds on first use (about ten
minutes on two cores) and runs `cargo metadata` on the repository. A call
site is a (file, line where the call expression starts, called name);
both sides list them, and they are paired in order.

The reference gives each call site a definition inside the repository, or
"outside" (a library, the standard library, a builtin), or nothing (the
checker could not tell: left out of every measure and counted apart). A
definition inside is placed on Homer's definitions: the innermost one of
its file of the same name whose lines contain the checker's. Where there
is none, the checker landed on something Homer does not define (a
variable or parameter holding a function, an attribute): the site is
counted apart ("not a definition") and left out of the recall.

- recall: of the sites landing inside, the share whose Homer top target
  (certain or guessed) is that definition; "certain" counts certain edges
  only.
- certain precision: of Homer's certain edges at sites where the checker
  lands on a definition or outside, the share pointing at the checker's
  definition. Certain edges at sites where it lands on a variable are
  counted apart: some are wrong (a parameter named like a function), some
  name what the variable holds.
- calibration: every guessed edge (each of a site's candidates) at sites
  the checker placed on a definition or outside, binned by its
  confidence, right how often (the `--out` file also holds the top guess
  alone, `bins`).
- outside attached: of the sites landing outside, the share Homer gave a
  target inside the repository (certain or guessed).
"""

import argparse
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Which reference answers for which of Homer's languages, and the command.
CHECKERS = {
    "python": ["python3", os.path.join(HERE, "calls", "jedi_calls.py")],
    "typescript": ["node", os.path.join(HERE, "calls", "tsc_calls.js")],
    "tsx": ["node", os.path.join(HERE, "calls", "tsc_calls.js")],
    "javascript": ["node", os.path.join(HERE, "calls", "tsc_calls.js")],
    "java": ["java", os.path.join(HERE, "calls", "JavacCalls.java")],
    "go": ["go", "run", os.path.join(HERE, "calls", "gocalls", "main.go")],
    "rust": [
        "cargo", "run", "-q", "--release", "--manifest-path",
        os.path.join(HERE, "calls", "ra_calls", "Cargo.toml"), "--",
    ],
}


def checker_name(command):
    """A file name for a checker's cached answers."""
    files = [c for c in command if c.endswith((".py", ".js", ".java", ".go", ".toml"))]
    return os.path.basename(os.path.dirname(files[0]) if files[0].endswith(".toml") else files[0])


def load_homer(binary, repo):
    out = subprocess.run([binary, repo], capture_output=True, check=True, text=True).stdout
    definitions = collections.defaultdict(list)
    sites = []
    for line in out.splitlines():
        d = json.loads(line)
        if "definition" in d:
            x = d["definition"]
            definitions[x["file"]].append(x)
        else:
            sites.append(d)
    return definitions, sites


def load_reference(command, repo, cache):
    if cache and os.path.exists(cache):
        text = open(cache).read()
    else:
        text = subprocess.run(command + [repo], capture_output=True, check=True, text=True).stdout
        if cache:
            open(cache, "w").write(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def place(definitions, target):
    """The Homer definition the checker's target is: (file, start, qualified)."""
    inside = [
        d
        for d in definitions.get(target["file"], [])
        if d["start"] <= target["line"] <= d["end"]
    ]
    named = [d for d in inside if d["name"] == target["name"]]
    if not named:
        return None
    best = min(named, key=lambda d: (d["end"] - d["start"], -d["start"]))
    return (best["file"], best["start"], best["qualified"])


def key_of(t):
    return (t["file"], t["start"], t["qualified"])


def measure(definitions, homer_sites, reference, misses):
    by_site = collections.defaultdict(list)
    for s in homer_sites:
        by_site[(s["file"], s["line"], s["name"])].append(s)
    m = collections.Counter()
    bins = collections.defaultdict(lambda: [0, 0])
    edges = collections.defaultdict(lambda: [0, 0])
    missed = []
    # Calls of one name on one line are paired in the order Homer lists
    # them: by where they start, then where they end (a chain's links start
    # together, the innermost ends first).
    reference = sorted(
        reference, key=lambda r: (r["file"], r["line"], r["name"], r.get("span") or [])
    )
    for r in reference:
        k = (r["file"], r["line"], r["name"])
        homer = by_site[k].pop(0) if by_site[k] else None
        m["sites"] += 1
        if homer is None:
            m["not_extracted"] += 1
        targets = homer["targets"] if homer else []
        top = targets[0] if targets else None
        certain = top is not None and top["confidence"] >= 1.0
        t = r["target"]
        if t is None:
            m["unknown"] += 1
            continue
        if t == "outside":
            m["outside"] += 1
            for g in targets:
                if g["confidence"] < 1.0:
                    edges[round(g["confidence"], 3)][0] += 1
            if top is not None:
                m["outside_attached"] += 1
                if certain:
                    m["certain"] += 1
                    m["certain_wrong"] += 1
                    if len(missed) < misses:
                        missed.append(("certain, checker says outside", r, top))
                elif len(missed) < misses:
                    missed.append((f"guessed of {len(targets)}, checker says outside", r, top))
            continue
        want = place(definitions, t)
        if want is None:
            m["not_a_definition"] += 1
            if certain:
                m["certain_at_variable"] += 1
                if len(missed) < misses:
                    missed.append(("certain, checker says a variable", r, top))
            continue
        m["inside"] += 1
        for g in targets:
            if g["confidence"] < 1.0:
                e = edges[round(g["confidence"], 3)]
                e[0] += 1
                e[1] += int(key_of(g) == want)
        right = top is not None and want is not None and key_of(top) == want
        if top is not None:
            if certain:
                m["certain"] += 1
                if right:
                    m["certain_right"] += 1
                else:
                    m["certain_wrong"] += 1
                    if len(missed) < misses:
                        missed.append(("certain, wrong", r, top))
            else:
                b = bins[round(top["confidence"], 3)]
                b[0] += 1
                b[1] += int(right)
        if right:
            m["recall_any"] += 1
            if certain:
                m["recall_certain"] += 1
        elif len(missed) < misses:
            if top is None:
                missed.append(("unresolved", r, want))
            elif not certain:
                missed.append((f"guessed wrong, top of {len(targets)}", r, top))
    unmatched = sum(len(v) for v in by_site.values())
    m["homer_only"] = unmatched
    return m, bins, edges, missed


def pct(a, b):
    return f"{100 * a / b:.1f}%" if b else "–"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/tmp/corpus")
    ap.add_argument("--repos", default="requests,hono,express,javapoet,timber,cobra,ripgrep")
    ap.add_argument("--homer-sites", default=None)
    ap.add_argument("--cache", default=None, help="directory keeping the checkers' answers")
    ap.add_argument("--misses", type=int, default=0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    binary = args.homer_sites
    if binary is None:
        subprocess.run(
            ["cargo", "build", "--release", "-q", "-p", "homer-benches", "--bin", "call_sites"],
            cwd=ROOT,
            check=True,
        )
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
        binary = os.path.join(target, "release", "call_sites")
    if args.cache:
        os.makedirs(args.cache, exist_ok=True)
    rows = []
    print(
        "| repository | language | call sites | checker: inside / outside / not a definition / unknown "
        "| recall (certain or top guess) | recall, certain only | certain precision "
        "| outside attached | certain where the checker says a variable | guesses: confidence → right |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in args.repos.split(","):
        repo = os.path.join(args.corpus, name)
        definitions, sites = load_homer(binary, repo)
        languages = sorted({s["language"] for s in sites if s["language"] in CHECKERS})
        done = set()
        for language in languages:
            command = CHECKERS[language]
            if tuple(command) in done:
                continue
            done.add(tuple(command))
            covered = [l for l in languages if CHECKERS[l] == command]
            cache = (
                os.path.join(args.cache, f"{name}.{checker_name(command)}.jsonl")
                if args.cache
                else None
            )
            reference = load_reference(command, repo, cache)
            for lang in covered:
                ref = [r for r in reference if r.get("language", lang) == lang]
                if not ref:
                    continue
                homer_sites = [s for s in sites if s["language"] == lang]
                m, bins, edges, missed = measure(definitions, homer_sites, ref, args.misses)
                guesses = ", ".join(
                    f"{c:.2f} → {pct(r, n)} of {n}" for c, (n, r) in sorted(edges.items(), reverse=True)
                )
                print(
                    f"| {name} | {lang} | {m['sites']} | {m['inside']} / {m['outside']} / {m['not_a_definition']} / {m['unknown']} "
                    f"| {pct(m['recall_any'], m['inside'])} | {pct(m['recall_certain'], m['inside'])} "
                    f"| {pct(m['certain_right'], m['certain'])} of {m['certain']} "
                    f"| {pct(m['outside_attached'], m['outside'])} | {m['certain_at_variable']} | {guesses or '–'} |"
                )
                rows.append({"repo": name, "language": lang, **m, "bins": bins, "edges": edges})
                for why, r, t in missed:
                    print(f"    {why}: {r['file']}:{r['line']} {r['name']} → checker {r['target']}; homer {t}", file=sys.stderr)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(rows, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
