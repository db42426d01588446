#!/usr/bin/env python3
"""The most salient files of each corpus repository, with class and reasons.

    python3 benches/top_salience.py [--corpus ../shared/corpus] [--top 10] [--all]

Reads `homer export --graph files --format jsonl` after a fresh `homer
update` of each bundle. Files with a role (tests, examples, benchmarks,
generated, vendored) are left out unless `--all`.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--all", action="store_true", help="include tests, examples, benchmarks...")
    args = parser.parse_args()
    bundles = sorted(Path(args.corpus).glob("*.bundle"))
    if not bundles:
        sys.exit(f"no bundles in {args.corpus}")
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
    homer = ROOT / "target" / "release" / "homer"
    with tempfile.TemporaryDirectory() as tmp:
        for bundle in bundles:
            repo = Path(tmp) / bundle.stem
            subprocess.run(["git", "-c", "init.defaultBranch=main", "clone", "-q", str(bundle), str(repo)], check=True)
            subprocess.run([str(homer), "update", "--repo", str(repo)], check=True, capture_output=True)
            out = subprocess.run(
                [str(homer), "export", "--graph", "files", "--repo", str(repo)],
                check=True, capture_output=True, text=True,
            ).stdout
            files = [json.loads(l) for l in out.splitlines()]
            files = [f for f in files if f["type"] == "node"]
            if not args.all:
                files = [f for f in files if "role" not in f["attrs"]]
            files.sort(key=lambda f: (-f["attrs"].get("salience", 0), f["id"]))
            print(f"\n### {bundle.stem}\n")
            print("| # | file | salience | class | reasons |")
            print("|---|---|---|---|---|")
            for i, f in enumerate(files[: args.top], 1):
                a = f["attrs"]
                reasons = "; ".join(a.get("salience_reasons", []))
                print(f"| {i} | {f['id']} | {a.get('salience', 0):.2f} | {a.get('salience_class', '')} | {reasons} |")


if __name__ == "__main__":
    main()
