#!/usr/bin/env python3
"""Raw inference speed of the model Homer uses, through ONNX Runtime's
Python API, on texts given as JSON lines (see embed_texts.py): the same
files from Homer's model cache, the same tokenizer settings (pad to the
longest in the batch, truncate at 256), mean pooling and L2 norm in numpy.
Prints texts per second. The reference for the embed stage's rate.

Usage: benches/embed_raw_ort.py TEXTS.jsonl [--batch 1] [--threads 2]
       [--model-dir ~/.cache/homer/minilm-int8]
Needs: pip install onnxruntime==1.31.1 tokenizers numpy
"""

import argparse
import json
import os
import time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

ap = argparse.ArgumentParser()
ap.add_argument("texts")
ap.add_argument("--batch", type=int, default=1)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument(
    "--model-dir",
    default=os.environ.get("HOMER_MODEL_DIR")
    or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "homer", "minilm-int8"),
)
args = ap.parse_args()

with open(args.texts) as f:
    texts = [json.loads(line) for line in f if line.strip()]
options = ort.SessionOptions()
options.intra_op_num_threads = args.threads
session = ort.InferenceSession(os.path.join(args.model_dir, "model.onnx"), options)
tokenizer = Tokenizer.from_file(os.path.join(args.model_dir, "tokenizer.json"))
tokenizer.enable_padding()
tokenizer.enable_truncation(256)
wanted = {i.name for i in session.get_inputs()}

start = time.perf_counter()
for i in range(0, len(texts), args.batch):
    encodings = tokenizer.encode_batch(texts[i : i + args.batch])
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    hidden = session.run(None, {k: v for k, v in feed.items() if k in wanted})[0]
    summed = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
    vectors = summed / np.linalg.norm(summed, axis=1, keepdims=True)
seconds = time.perf_counter() - start
print(f"{len(texts)} texts, batch {args.batch}, {args.threads} threads: {seconds:.1f} s, {len(texts) / seconds:.1f} texts/s")
