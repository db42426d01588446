"""Python call sites resolved by jedi: the reference `call_accuracy.py`
compares Homer's call graph with.

    python3 benches/calls/jedi_calls.py REPO > jedi.jsonl

One line per call in a Python file git tracks: `{"file", "line", "name",
"target"}`, where `line` is where the call expression starts (as Homer
records it), `name` the called name, and `target` is `{"file", "line",
"name"}` of the definition jedi's `Script.goto` (following imports) lands
on inside REPO, `"outside"` when it lands outside (the standard library,
an installed package, a builtin), or `null` when jedi finds nothing.
Calls of something without a name (`f()()`, `x[0]()`) are left out.
Needs `jedi` (PyPI).
"""

import ast
import json
import os
import subprocess
import sys

import jedi


def callee(node):
    """The called name and the position jedi should go to from."""
    f = node.func
    if isinstance(f, ast.Name):
        return f.id, f.lineno, f.col_offset
    if isinstance(f, ast.Attribute):
        return f.attr, f.end_lineno, f.end_col_offset - len(f.attr)
    return None


def main():
    repo = os.path.realpath(sys.argv[1])
    files = subprocess.run(
        ["git", "ls-files", "-z", "*.py"], cwd=repo, capture_output=True, check=True
    ).stdout.decode().split("\0")
    # The repository's own packages first (a `src/` layout too), so that an
    # installed copy of the same package does not stand in for its source.
    roots = [os.path.join(repo, "src"), repo]
    roots = [r for r in roots if os.path.isdir(r)]
    rest = [p for p in sys.path if p and os.path.realpath(p) != os.path.realpath(os.getcwd())]
    project = jedi.Project(repo, sys_path=roots + rest, smart_sys_path=False)
    out = sys.stdout
    for rel in sorted(f for f in files if f):
        path = os.path.join(repo, rel)
        try:
            code = open(path, encoding="utf-8").read()
            tree = ast.parse(code)
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
        script = jedi.Script(code, path=path, project=project)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            found = callee(node)
            if found is None:
                continue
            name, line, col = found
            target = None
            try:
                names = script.goto(line, col, follow_imports=True)
            except Exception:  # jedi's own failures: no answer
                names = []
            for n in names:
                module = str(n.module_path) if n.module_path else None
                if module is None or n.line is None:
                    target = "outside"
                    continue
                module = os.path.realpath(module)
                if module.startswith(repo + os.sep) and "site-packages" not in module:
                    target = {
                        "file": os.path.relpath(module, repo),
                        "line": n.line,
                        "name": n.name,
                    }
                    break
                target = "outside"
            json.dump(
                {
                    "file": rel,
                    "line": node.lineno,
                    "name": name,
                    # Where the call starts and ends, to order calls of one
                    # name on one line (a chain's links start together).
                    "span": [
                        [node.lineno, node.col_offset],
                        [node.end_lineno, node.end_col_offset],
                    ],
                    "target": target,
                },
                out,
                sort_keys=True,
            )
            out.write("\n")


if __name__ == "__main__":
    main()
