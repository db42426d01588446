#!/usr/bin/env python3
"""Would the transformer help as a query-time re-ranker of `homer search`?

For every question of benches/search/questions.json, takes the top K hits
of `homer search --mode hybrid` (the static vectors' fusion), embeds the
question and each hit's chunk text (title and body as the embed stage
does, 256 tokens) with the all-MiniLM-L6-v2 int8 model that `homer model
fetch` installed, and re-ranks the K by

    rrf: 1/(k + hybrid rank) + w/(k + transformer rank)
    cos: 1/(k + hybrid rank) + w/(k + 1) * (cos - min) / (max - min)

for a grid of k, w and K, reporting file-level MRR@10 pooled by the
question file's sets, and on how many repositories the re-ranked list is
at least as good as the hybrid one. Vectors are cached by text in
--cache, so a second run embeds nothing.

Needs numpy, onnxruntime and tokenizers (`pip install` into a venv);
each repository a clone under --corpus indexed with the model.

Usage: benches/search_rerank.py [--homer target/release/homer]
           [--corpus /tmp/corpus] [--cache /tmp/rerank_cache.pkl] [--depth 30]
"""
import argparse
import json
import os
import pickle
import sqlite3
import statistics
import subprocess
import zlib

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))


class Encoder:
    def __init__(self, model_dir, cache_path):
        self.tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(256)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 2
        self.sess = ort.InferenceSession(os.path.join(model_dir, "model.onnx"), opts)
        self.inputs = [i.name for i in self.sess.get_inputs()]
        self.cache_path = cache_path
        self.cache = pickle.load(open(cache_path, "rb")) if os.path.exists(cache_path) else {}

    def __call__(self, text):
        if text not in self.cache:
            ids = np.array([self.tok.encode(text).ids], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            v = self.sess.run(None, feed)[0][0].mean(axis=0)
            self.cache[text] = v / np.linalg.norm(v)
        return self.cache[text]

    def save(self):
        pickle.dump(self.cache, open(self.cache_path, "wb"))


def chunk_text(db, hit):
    """The text the embed stage embeds for a hit's chunk."""
    name = f"{hit['path']}::{hit['symbol']}" if hit.get("symbol") else hit["path"]
    rows = db.execute(
        "SELECT c.title, c.body, c.embed_kind, c.start_line FROM chunks c "
        "JOIN nodes n ON n.id = c.node WHERE n.name = ? ORDER BY c.id",
        (name,),
    ).fetchall()
    if hit.get("lines"):
        rows = [r for r in rows if r[3] == hit["lines"][0]] or rows
    if not rows:
        return None
    title, body, kind, _ = rows[0]
    if isinstance(body, bytes):  # stored deflated (schema 6)
        body = zlib.decompress(body, -15).decode()
    return body if kind == 1 else title + "\n" + body


def mrr(paths, answers):
    seen = []
    for p in paths:
        if p not in seen:
            seen.append(p)
    for i, f in enumerate(seen[:10]):
        if f in answers:
            return 1 / (i + 1)
    return 0.0


def rerank(cands, how, w, k, depth):
    top = cands[:depth]
    if how == "none" or not top:
        return [c["path"] for c in cands]
    cos = [c["cos"] if c["cos"] is not None else -1.0 for c in top]
    by_cos = sorted(range(len(top)), key=lambda i: -cos[i])
    cos_rank = {i: r for r, i in enumerate(by_cos)}
    hi, lo = max(cos), min(cos)
    def score(i):
        if how == "rrf":
            return 1 / (k + i + 1) + w / (k + cos_rank[i] + 1)
        scaled = (cos[i] - lo) / (hi - lo) if hi > lo else 0.0
        return 1 / (k + i + 1) + w / (k + 1) * scaled
    order = sorted(range(len(top)), key=lambda i: (-score(i), i))
    return [top[i]["path"] for i in order] + [c["path"] for c in cands[depth:]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--homer", default=os.path.join(HERE, "..", "target", "release", "homer"))
    ap.add_argument("--corpus", default="/tmp/corpus")
    ap.add_argument("--cache", default="/tmp/rerank_cache.pkl")
    ap.add_argument("--depth", type=int, default=30)
    ap.add_argument("--model-dir", default=os.path.expanduser(
        os.environ.get("HOMER_MODEL_DIR", "~/.cache/homer/minilm-int8")))
    args = ap.parse_args()
    questions = json.load(open(os.path.join(HERE, "search", "questions.json")))
    sets = questions["_sets"]
    repos = [r for r in questions if not r.startswith("_")]
    encode = Encoder(args.model_dir, args.cache)
    records = []
    for repo in repos:
        db = sqlite3.connect(os.path.join(args.corpus, repo, ".homer", "homer.db"))
        for item in questions[repo]:
            out = subprocess.run(
                [args.homer, "search", "--json", "--mode", "hybrid", "--limit", str(args.depth), "--", item["q"]],
                cwd=os.path.join(args.corpus, repo), capture_output=True, text=True, check=True)
            qv = encode(item["q"])
            cands = []
            for hit in json.loads(out.stdout)["hits"]:
                text = chunk_text(db, hit)
                cands.append({"path": hit["path"], "cos": float(np.dot(qv, encode(text))) if text else None})
            records.append((repo, item["files"], cands))
        encode.save()

    def table(how, w, k, depth):
        per = {r: statistics.mean(mrr(rerank(c, how, w, k, depth), a) for rr, a, c in records if rr == r)
               for r in repos}
        pooled = {n: statistics.mean(mrr(rerank(c, how, w, k, depth), a) for rr, a, c in records if rr in m)
                  for n, m in sets.items()}
        pooled["all"] = statistics.mean(mrr(rerank(c, how, w, k, depth), a) for _, a, c in records)
        return per, pooled

    base_per, base = table("none", 0, 60, args.depth)
    print("setting            " + " ".join(f"{n:>14}" for n in base) + "  repos >= hybrid")
    print("hybrid (no rerank)  " + " ".join(f"{v:14.3f}" for v in base.values()))
    for how in ["rrf", "cos"]:
        for k in [10, 60]:
            for w in [0.5, 1, 2, 4]:
                for depth in [10, 20, args.depth]:
                    per, pooled = table(how, w, k, depth)
                    wins = sum(per[r] >= base_per[r] - 1e-9 for r in repos)
                    print(f"{how} k={k:<2} w={w:<3} K={depth:<3} "
                          + " ".join(f"{v:14.3f}" for v in pooled.values()) + f"  {wins}/{len(repos)}")


if __name__ == "__main__":
    main()
