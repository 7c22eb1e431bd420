#!/usr/bin/env python3
"""Writes libFuzzer seed corpora (one file per input) under OUT_DIR, from data that stays
outside the repository: the jsonschemabench schemas (schema seeds, and their "pattern"
values as regex seeds) and llama.cpp's GBNF grammars.

usage: fuzz/seed_corpus.py OUT_DIR [--shared DIR] [--llama-src DIR] [--per-file N]
"""
import argparse
import hashlib
import json
import os
import pathlib


def put(directory, data):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


def patterns(node, out):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                out.add(value)
            elif key == "patternProperties" and isinstance(value, dict):
                out.update(value.keys())
            patterns(value, out)
    elif isinstance(node, list):
        for value in node:
            patterns(value, out)


def main():
    here = pathlib.Path(__file__).resolve().parent
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--shared", default=os.environ.get("KOLIBRI_SHARED_DIR", str(here.parent.parent / "shared")))
    p.add_argument("--llama-src", default=os.environ.get("KOLIBRI_LLAMA_SOURCE_DIR", ""))
    p.add_argument("--per-file", type=int, default=300, help="schemas taken from each jsonschemabench file")
    a = p.parse_args()
    out = pathlib.Path(a.out)
    bench = pathlib.Path(a.shared) / "data" / "jsonschemabench"
    regexes = set()
    for f in sorted(bench.glob("*.jsonl")):
        with open(f, encoding="utf-8") as lines:
            for n, line in enumerate(lines):
                if not line.strip():
                    continue
                schema = json.loads(line)["schema"]
                patterns(schema, regexes)
                if n < a.per_file:
                    put(out / "schema", json.dumps(schema).encode())
    for r in sorted(regexes):
        for flags in (0, 3):  # full match raw UTF-8; search inside a JSON string
            put(out / "regex", bytes([flags]) + r.encode())
    if a.llama_src:
        for g in sorted((pathlib.Path(a.llama_src) / "grammars").glob("*.gbnf")):
            put(out / "gbnf", g.read_bytes())
    for kind in ("schema", "regex", "gbnf"):
        d = out / kind
        print(f"{d}: {len(list(d.iterdir())) if d.exists() else 0} seeds")


if __name__ == "__main__":
    main()
