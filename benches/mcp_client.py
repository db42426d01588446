#!/usr/bin/env python3
"""`homer serve` driven by a client nobody here wrote: the official MCP
Python SDK (`pip install mcp`).

For each repository: starts `homer serve --repo REPO` over stdio, lists the
tools (name, required arguments, the first sentence of each description),
calls every tool once with arguments read from the index (the most salient
production file, its top symbol, the five most salient files as a change)
and prints the first lines of each answer with its stamp. With --runs N,
then calls each tool N more times and prints the median latency measured
from the client (send to reply, the session already initialized and every
tool called once, as an agent's session would be).

With --runs N, the same calls are also timed from a bare client: one
JSON-RPC line written to the server's stdin, one read back, no SDK in
between; the difference is the SDK's own work (validation, its streams).

Usage: benches/mcp_client.py [--homer target/release/homer]
           [--corpus /tmp/corpus] [--repos cobra,express,...] [--runs 0]
           [--quiet]   (only the latency tables)

Each repository must be a clone under the corpus directory, indexed with
`homer update`.
"""

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import query_latency  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = ["search", "query", "context", "co_changes", "review", "status"]


def salient_files(homer, repo, n):
    """The n most salient production files (as `homer export` reads them:
    the score is computed when read); in a repository whose language Homer
    does not parse (no salience), the n most often changed."""
    files = query_latency.salient(homer, repo, n)
    if files:
        return files
    db = os.path.join(repo, ".homer", "homer.db")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        """SELECT n.name, v.value FROM nodes n JOIN node_values v ON v.node = n.id
           WHERE n.kind = 1 AND n.owner IS NOT NULL
             AND v.name = (SELECT code FROM value_names WHERE name = 'history')
             AND NOT EXISTS (SELECT 1 FROM node_values r WHERE r.node = n.id
                             AND r.name = (SELECT code FROM value_names WHERE name = 'role'))"""
    ).fetchall()
    if rows:
        ranked = sorted(rows, key=lambda r: (-query_latency.history_counts(r[1])[0], r[0]))
        return [r[0] for r in ranked[:n]]
    raise SystemExit(f"{db}: no file has a salience or a commit count")


def arguments(homer, repo):
    files = salient_files(homer, repo, 5)
    top = files[0]
    stem = os.path.splitext(os.path.basename(top))[0]
    return {
        "search": {"query": f"where is {stem} handled"},
        "query": {"target": top},
        "context": {"task": f"change how {stem} works", "max_tokens": 4000},
        "co_changes": {"path": top},
        "review": {"files": files},
        "status": {},
    }


def first_lines(result, n):
    text = "".join(c.text for c in result.content if getattr(c, "type", "") == "text")
    lines = text.splitlines()
    more = f"    … {len(lines) - n} more lines" if len(lines) > n else None
    return lines[:n] + ([more] if more else [])


async def session_for(homer, repo, body):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=homer, args=["serve", "--repo", repo])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            return await body(session)


async def one_repository(homer, repo, runs, quiet):
    args = arguments(homer, repo)

    async def body(session):
        listed = await session.list_tools()
        names = [t.name for t in listed.tools]
        if not quiet:
            print(f"## {os.path.basename(repo)}: {len(names)} tools")
            for tool in listed.tools:
                required = tool.input_schema.get("required", [])
                sentence = tool.description.split(". ")[0]
                print(f"- {tool.name}({', '.join(required)}): {sentence}")
        missing = [t for t in TOOLS if t not in names]
        if missing:
            raise SystemExit(f"the server does not list {missing}")
        for name in TOOLS:
            result = await session.call_tool(name, args[name])
            if result.is_error:
                raise SystemExit(f"{name} failed: {first_lines(result, 3)}")
            if result.structured_content is None:
                raise SystemExit(f"{name} gave no structured content")
            if not quiet:
                print(f"### {name} {args[name]}")
                for line in first_lines(result, 6):
                    print(f"    {line}")
        latency = {}
        for name in TOOLS if runs else []:
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                result = await session.call_tool(name, args[name])
                times.append(time.perf_counter() - started)
                if result.is_error:
                    raise SystemExit(f"{name} failed: {first_lines(result, 3)}")
            latency[name] = times
        return latency

    return await session_for(homer, repo, body)


def bare_latency(homer, repo, runs):
    """Median milliseconds per tool from a client that is a pipe and a
    JSON parser: initialize, then each tool once and `runs` times more."""
    server = subprocess.Popen(
        [homer, "serve", "--repo", repo],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    sent = 0

    def call(method, params):
        nonlocal sent
        sent += 1
        line = json.dumps({"jsonrpc": "2.0", "id": sent, "method": method, "params": params})
        server.stdin.write(line.encode() + b"\n")
        server.stdin.flush()
        while True:
            reply = json.loads(server.stdout.readline())
            if reply.get("id") == sent:
                if "error" in reply or reply["result"].get("isError"):
                    raise SystemExit(f"{method} {params} failed: {reply}")
                return reply

    call("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                        "clientInfo": {"name": "bare", "version": "0"}})
    server.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    server.stdin.flush()
    args = arguments(homer, repo)
    out = {}
    for name in TOOLS:
        call("tools/call", {"name": name, "arguments": args[name]})
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            call("tools/call", {"name": name, "arguments": args[name]})
            times.append(time.perf_counter() - started)
        out[name] = times
    server.stdin.close()
    server.wait()
    return out


def print_table(title, names, table, runs):
    print()
    print(f"{title}, {runs} calls each, median (ms)")
    print("| repository | " + " | ".join(TOOLS) + " |")
    print("|---|" + "---|" * len(TOOLS))
    for name in names:
        cells = [f"{statistics.median(table[name][t]) * 1000:.1f}" for t in TOOLS]
        print(f"| {name} | " + " | ".join(cells) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--homer", default=os.path.join(HERE, "..", "target", "release", "homer"))
    ap.add_argument("--corpus", default="/tmp/corpus")
    ap.add_argument("--repos", default="cobra")
    ap.add_argument("--runs", type=int, default=0)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    try:
        import mcp  # noqa: F401
    except ImportError:
        sys.exit("the MCP Python SDK is not installed: pip install mcp")
    homer = os.path.abspath(args.homer)
    names = args.repos.split(",")
    table, bare = {}, {}
    for name in names:
        repo = os.path.join(args.corpus, name)
        table[name] = asyncio.run(one_repository(homer, repo, args.runs, args.quiet))
        if args.runs:
            bare[name] = bare_latency(homer, repo, args.runs)
    if args.runs:
        print_table("latency from the official Python SDK's client", names, table, args.runs)
        print_table("latency from a bare JSON-RPC client", names, bare, args.runs)


if __name__ == "__main__":
    main()
