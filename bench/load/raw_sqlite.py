#!/usr/bin/env python3
"""The SQLite floor of the load benchmark (scripts/bench-load.sh): the statements behind creating a ticket and
listing tickets, run straight on a copy of the generated database with Python's sqlite3 (no HTTP, no server), one
connection, the server's settings (WAL, synchronous=NORMAL, foreign keys). What the server cannot beat on this
machine.

- insert: the ticket row, as `store::tickets::insert_ticket` writes it (its FTS trigger included), one
  `BEGIN IMMEDIATE` transaction per ticket;
- the list queries of `store::ticket_list` (the page and its count, as one read transaction) for one
  organization: first page, a deep page by keyset, and the same with a search.

Usage: raw_sqlite.py DATABASE OUT [--seconds N]. The database is copied first; the original is not changed.
"""

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time

PAGE = 25
DEEP_PAGES = 30
# As `store::ticket_list::org_fts_query` builds it for the organization (migration 0013): the words, in the text
# columns only, ANDed with the organization's token in the index.
SEARCH = 'organization_id : "{org}" AND {{subject description resource_ids}} : ("replication"*)'

PAGE_SQL = """
SELECT t.id, t.subject, t.severity, t.status,
       (SELECT name FROM products WHERE key = t.product_key) AS product_name,
       (SELECT name FROM users WHERE id = t.submitter_id) AS submitter_name,
       t.created_at, t.updated_at, t.last_replied_by, t.last_reply_from_agent
FROM tickets t
WHERE t.organization_id = ? {search} {bound}
ORDER BY t.updated_at DESC, t.id DESC LIMIT ?
"""
COUNT_SQL = "SELECT COUNT(*) FROM tickets t WHERE t.organization_id = ? {search}"
SEARCH_SQL = "AND t.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?)"
BOUND_SQL = "AND (t.updated_at, t.id) < (?, ?)"

INSERT_SQL = """
INSERT INTO tickets
    (organization_id, submitter_id, subject, severity, status, product_key, reason_key,
     resource_ids, description, first_response_target_unit,
     first_response_target_value, first_response_due_at, created_at, updated_at,
     follow_up_of, first_response_at)
VALUES (?, ?, ?, 'low', 'open', 'billing', 'invoice', '', ?, 'business_days', 1, ?, ?, ?, NULL, NULL)
RETURNING id
"""


def percentile(sorted_ms, p):
    if not sorted_ms:
        return 0.0
    index = min(len(sorted_ms) - 1, max(0, int(round(p / 100 * len(sorted_ms) + 0.5)) - 1))
    return sorted_ms[index]


def measure(seconds, operation):
    """Runs `operation` back to back for `seconds`; its rate and latencies."""
    latencies = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        t0 = time.perf_counter()
        operation(len(latencies))
        latencies.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "operations": len(latencies),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 3),
        "p99_ms": round(percentile(latencies, 99), 3),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("out")
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="support-bench-raw-") as tmp:
        path = os.path.join(tmp, "support.db")
        source = sqlite3.connect(args.database)
        target = sqlite3.connect(path)
        source.backup(target)
        source.close()
        target.close()
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        org, submitter = db.execute(
            "SELECT m.organization_id, m.user_id FROM memberships m JOIN users u ON u.id = m.user_id "
            "WHERE u.email = 'admin@org001.bench.example'"
        ).fetchone()

        search_query = SEARCH.format(org=org)

        def page(search, bound):
            sql = PAGE_SQL.format(search=SEARCH_SQL if search else "", bound=BOUND_SQL if bound else "")
            params = [org] + ([search_query] if search else []) + (list(bound) if bound else []) + [PAGE + 1]
            count_sql = COUNT_SQL.format(search=SEARCH_SQL if search else "")
            db.execute("BEGIN")
            rows = db.execute(sql, params).fetchall()
            db.execute(count_sql, [org] + ([search_query] if search else [])).fetchone()
            db.execute("COMMIT")
            return rows

        def deep_bound(search):
            bound = None
            for _ in range(DEEP_PAGES):
                rows = page(search, bound)
                if len(rows) <= PAGE:
                    break
                last = rows[PAGE - 1]
                bound = (last[7], last[0])
            return bound

        deep, search_deep = deep_bound(False), deep_bound(True)
        results = {
            "list_first": measure(args.seconds, lambda _: page(False, None)),
            "list_deep": measure(args.seconds, lambda _: page(False, deep)),
            "search_first": measure(args.seconds, lambda _: page(True, None)),
            "search_deep": measure(args.seconds, lambda _: page(True, search_deep)),
        }
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

        def insert(n):
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                INSERT_SQL,
                (org, submitter, f"Raw insert {n}", f"Inserted by the SQLite floor, row {n}.", now, now, now),
            ).fetchone()
            db.execute("COMMIT")

        results["insert"] = measure(args.seconds, insert)
        db.close()
    report = {"engine": f"SQLite {sqlite3.sqlite_version} (Python sqlite3)", "seconds": args.seconds, **results}
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
    for name, figures in results.items():
        print(f"bench-load: raw SQLite {name}: {figures['per_second']:.0f}/s, p50 {figures['p50_ms']:.2f} ms, "
              f"p99 {figures['p99_ms']:.2f} ms", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
