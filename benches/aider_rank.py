"""aider's repo map as the peer of `benches/task_eval.py`: the files of a
checkout in the order aider's ranking puts them for a task, with no files
in the chat and the task's words as the identifiers it mentions.

Run with the Python that has `aider-chat` (from PyPI; 0.86.2 here):

    python3 -m venv /tmp/aider-venv && /tmp/aider-venv/bin/pip install aider-chat
    /tmp/aider-venv/bin/python benches/aider_rank.py REPO < tasks.jsonl

Each input line is {"task": "...", "files": [...]} (the files of the
checkout as it is then; the process keeps aider's tag cache across
lines); each output line the ranked files
(repository-relative paths) for it, best first: the order in which files
first appear in `RepoMap.get_ranked_tags` (aider's PageRank over the
definition and reference graph, personalized by the mentioned
identifiers). The map aider prints lists the selected files by name; the
rank order is the more favourable reading for it. Tokens are counted as
characters / 4, so that no tokenizer is downloaded.
"""

import json
import os
import re
import sys

from aider.repomap import RepoMap


class Model:
    """What RepoMap asks of a model: a token count."""

    def token_count(self, text):
        return len(text) // 4


class Quiet:
    """What RepoMap asks of its input/output: reading files, and saying
    things nobody reads here."""

    def read_text(self, path, silent=False):
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return None

    def tool_output(self, *args, **kwargs):
        pass

    tool_warning = tool_error = tool_output


def main():
    repo = os.path.realpath(sys.argv[1])
    rm = RepoMap(map_tokens=4000, root=repo, main_model=Model(), io=Quiet())
    for line in sys.stdin:
        asked = json.loads(line)
        task = asked["task"]
        paths = [os.path.join(repo, f) for f in asked["files"]]
        idents = {w for w in re.split(r"\W+", task) if w}
        ranked = rm.get_ranked_tags([], paths, set(), idents)
        order = []
        seen = set()
        for tag in ranked:
            rel = tag[0]
            if rel not in seen:
                seen.add(rel)
                order.append(rel)
        print(json.dumps(order), flush=True)


if __name__ == "__main__":
    main()
