#!/usr/bin/env python3
"""One configuration of the load benchmark (scripts/bench-load.sh): signs in the generated admins, finds the
cursors of a deep page and the tickets to open, then runs wrk once per scenario against URL and writes the
figures of every scenario to OUT (JSON). Python's standard library only.

Usage: run.py URL OUT --label TEXT [--sessions N] [--threads N] [--connections N] [--duration 10s]
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse

PASSWORD = "support-demo"
# Read scenarios first, then the writes (which add tickets and comments to the data the reads see).
SCENARIOS = [
    ("sign_in", "Sign in (Argon2)"),
    ("list_first", "List tickets, first page"),
    ("list_deep", "List tickets, deep page (keyset cursor)"),
    ("search_first", "Search tickets, first page"),
    ("search_deep", "Search tickets, deep page (keyset cursor)"),
    ("open", "Open a ticket"),
    ("create", "Create a ticket"),
    ("comment", "Add a comment"),
]
SEARCH = "replication"
# How many `next` pages the deep-page scenarios go down (or as far as the list goes).
DEEP_PAGES = 30
HERE = os.path.dirname(os.path.abspath(__file__))


def say(message):
    print(f"bench-load: {message}", file=sys.stderr, flush=True)


class Client:
    def __init__(self, url):
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.cookie = None

    def request(self, method, path, body=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            headers = {"x-support-csrf": "1", "accept": "application/json"}
            if self.cookie:
                headers["cookie"] = self.cookie
            data = None
            if body is not None:
                headers["content-type"] = "application/json"
                data = json.dumps(body).encode()
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    self.cookie = value.split(";", 1)[0]
            if not 200 <= response.status < 300:
                raise SystemExit(f"bench-load: {method} {path} answered {response.status}: {payload[:300]!r}")
            return json.loads(payload) if payload else None
        finally:
            connection.close()


def deep_cursor(client, path):
    """Follows `next` from the first page of `path` up to DEEP_PAGES times; the last cursor and its page."""
    page = client.request("GET", path)
    cursor, depth = None, 1
    while page.get("next") and depth <= DEEP_PAGES:
        cursor = page["next"]
        page = client.request("GET", f"{path}&after={cursor}")
        depth += 1
    if cursor is None:
        raise SystemExit(f"bench-load: {path} has a single page: no deep page to measure")
    return cursor, depth, page["total"]


def prepare(url, count, path):
    """Signs in the admins of the first `count` organizations; writes the sessions file wrk.lua reads."""
    lines, facts = [], {}
    for n in range(1, count + 1):
        email = f"admin@org{n:03}.bench.example"
        client = Client(url)
        client.request("POST", "/api/v1/session", {"email": email, "password": PASSWORD})
        org = client.request("GET", "/api/v1/me")["organization"]["id"]
        base = f"/api/v1/organizations/{org}/tickets?scope=organization"
        deep, depth, total = deep_cursor(client, base)
        search_deep, search_depth, search_total = deep_cursor(client, f"{base}&q={SEARCH}")
        # Tickets to open and comment on: a closed ticket takes no comments, so only the others.
        first = client.request("GET", f"{base}&limit=100")["tickets"]
        ids = ",".join(str(t["id"]) for t in first if t["status"] != "closed")
        lines.append("\t".join([email, client.cookie, str(org), deep, search_deep, ids]))
        if n == 1:
            facts = {
                "tickets_per_organization": total,
                "deep_page": depth,
                "search": SEARCH,
                "search_matches_per_organization": search_total,
                "search_deep_page": search_depth,
            }
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return facts


def run_wrk(url, scenario, sessions, args, nonce):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    env = {
        **os.environ,
        "BENCH_SCENARIO": scenario,
        "BENCH_SESSIONS": sessions,
        "BENCH_SEARCH": urllib.parse.quote(SEARCH),
        "BENCH_NONCE": nonce,
        "BENCH_OUT": out,
    }
    command = [
        "wrk", "--latency", "-t", str(args.threads), "-c", str(args.connections), "-d", args.duration,
        "--timeout", "10s", "-s", os.path.join(HERE, "wrk.lua"), url,
    ]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if completed.returncode != 0:
        raise SystemExit(f"bench-load: wrk failed for {scenario}: {completed.stderr[-2000:]}")
    with open(out) as f:
        result = json.load(f)
    os.unlink(out)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--label", required=True)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", default="10s")
    parser.add_argument("--only", help="comma-separated scenarios (default: all)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="support-bench-load-") as tmp:
        sessions = os.path.join(tmp, "sessions.tsv")
        say(f"{args.label}: signing in {args.sessions} admins and finding the deep pages")
        facts = prepare(args.url, args.sessions, sessions)
        nonce = f"{int(time.time())}-{os.getpid()}"
        wanted = set(args.only.split(",")) if args.only else None
        results = []
        for scenario, title in SCENARIOS:
            if wanted and scenario not in wanted:
                continue
            load = os.getloadavg()[0]
            result = run_wrk(args.url, scenario, sessions, args, nonce)
            result["title"] = title
            result["load_average_before"] = round(load, 2)
            errors = sum(result["errors"].values())
            say(
                f"{args.label}: {title}: {result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, "
                f"p99 {result['p99_ms']:.1f} ms, {errors} errors"
            )
            results.append(result)
    report = {
        "label": args.label,
        "url": args.url,
        "load_tool": {
            "tool": "wrk",
            "version": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0].split(" Copyright")[0].strip(),
            "threads": args.threads,
            "connections": args.connections,
            "duration": args.duration,
            "sessions": args.sessions,
        },
        "data": facts,
        "scenarios": results,
    }
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
