#!/usr/bin/env python3
"""Writes the chunk texts Homer embeds for a repository as JSON lines (one
JSON string per line), in the order the embed stage takes them (by the
hash of the text), one per distinct text: input for
`embed_throughput` (Rust) and `embed_raw_ort.py` (Python).

Usage: benches/embed_texts.py REPO > texts.jsonl
The text is what `homer_store::embedded_text` builds: the body for a file
chunk (embed_kind 1), the title, a newline and the body for a definition
(embed_kind 2).
"""

import json
import os
import sqlite3
import sys

repo = sys.argv[1]
db = sqlite3.connect(f"file:{os.path.join(repo, '.homer', 'homer.db')}?mode=ro", uri=True)
rows = db.execute(
    """SELECT embed_kind, title, body FROM chunks
       WHERE id IN (SELECT min(id) FROM chunks WHERE embed_hash IS NOT NULL GROUP BY embed_hash)
       ORDER BY embed_hash"""
)
for kind, title, body in rows:
    text = body if kind == 1 else f"{title}\n{body}"
    print(json.dumps(text))
