#!/usr/bin/env python3
"""Writes the load benchmark's report (scripts/bench-load.sh) from the figures in DIR: report.md and report.json,
the configurations side by side, the floors, and each target of issue 14 passed or failed (also printed).

Usage: report.py DIR. Reads DIR/machine.json and whichever of sqlite.json, sqlite-latency.json (the lists at a
lower connection count), postgres.json, postgres-2.json, raw-sqlite.json and pgbench.json exist.
"""

import json
import math
import os
import sys

CONFIGURATIONS = [
    ("sqlite", "SQLite, one instance"),
    ("postgres", "PostgreSQL, one instance"),
    ("postgres-2", "PostgreSQL, two instances behind nginx"),
]
LISTS = ["list_first", "list_deep", "search_first", "search_deep"]
READS = LISTS + ["open"]
CREATE_TARGET = 1000.0
LIST_P99_TARGET_MS = 10.0
SCALE_TARGET = 1.6


def load(directory, name):
    path = os.path.join(directory, f"{name}.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def by_scenario(config):
    return {s["scenario"]: s for s in config["scenarios"]} if config else {}


def targets(configs, latency=None):
    """Each target of issue 14: what was measured, and passed, failed or not measured (None). The list target is
    judged on `latency` (the lists at a load two cores sustain) when it was run, with the saturated figures beside
    it: at saturation the p99 is the queue, and it grows with every connection the load tool adds."""
    out = []
    sqlite = by_scenario(configs.get("sqlite"))
    create = sqlite.get("create")
    out.append({
        "target": f">= {CREATE_TARGET:,.0f} ticket creations/s on one SQLite instance",
        "measured": f"{create['rps']:,.0f}/s" if create else "not measured",
        "passed": (create["rps"] >= CREATE_TARGET and create["errors"]["status"] == 0) if create else None,
    })
    def worst_of(config):
        lists = [config[s] for s in LISTS if s in config]
        return max(lists, key=lambda s: s["p99_ms"]) if lists else None

    def p99_text(worst, connections):
        return f"worst p99 {worst['p99_ms']:.1f} ms at {connections} connections ({worst['title']}, {worst['rps']:,.0f}/s)"

    saturated, moderate = worst_of(sqlite), worst_of(by_scenario(latency))
    judged = moderate or saturated
    measured = []
    if moderate:
        measured.append(p99_text(moderate, latency["load_tool"]["connections"]))
    if saturated:
        measured.append(p99_text(saturated, configs["sqlite"]["load_tool"]["connections"]) + ", saturated")
    out.append({
        "target": f"list p99 <= {LIST_P99_TARGET_MS:.0f} ms at 100,000 tickets (SQLite, every list scenario)",
        "measured": "; ".join(measured) or "not measured",
        "passed": judged["p99_ms"] <= LIST_P99_TARGET_MS if judged else None,
    })
    one, two = by_scenario(configs.get("postgres")), by_scenario(configs.get("postgres-2"))
    ratios = [two[s]["rps"] / one[s]["rps"] for s in READS if s in one and s in two and one[s]["rps"] > 0]
    if ratios:
        mean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        measured = f"{mean:.2f}x (geometric mean of the read scenarios; " + ", ".join(f"{r:.2f}x" for r in ratios) + ")"
        passed = mean >= SCALE_TARGET
    else:
        measured, passed = "not measured (PostgreSQL or nginx not available)", None
    out.append({
        "target": f"two PostgreSQL instances >= {SCALE_TARGET}x one on reads",
        "measured": measured,
        "passed": passed,
    })
    return out


def verdict(passed):
    return {True: "PASS", False: "FAIL", None: "not run"}[passed]


def cell(s):
    if s is None:
        return "not run"
    errors = sum(s["errors"].values())
    text = f"{s['rps']:,.0f}/s · {s['p50_ms']:.1f} / {s['p99_ms']:.1f} ms"
    return text + (f" · **{errors} errors**" if errors else "")


def markdown(report):
    machine, configs = report["machine"], report["configurations"]
    present = [(key, label) for key, label in CONFIGURATIONS if key in configs]
    first = configs[present[0][0]] if present else None
    lines = [
        "# Load benchmark",
        "",
        f"Commit {machine['commit']}, {machine['date']}. Machine: {machine['cpus']} cores ({machine['cpu_model']}), "
        f"{machine['memory_gb']} GB, shared with other work (load average {machine['load_average_start']} at the start, "
        f"{machine.get('load_average_end', '?')} at the end). Server built with the `{machine['profile']}` profile.",
        "",
    ]
    if first:
        tool, data = first["load_tool"], first["data"]
        lines += [
            f"Load: {tool['version']}, {tool['threads']} threads, {tool['connections']} connections, {tool['duration']} per "
            f"scenario, on loopback; requests rotate over {tool['sessions']} signed-in admins of different organizations. "
            f"Data: {machine['data']}; an organization's list has {data.get('tickets_per_organization')} tickets, the deep "
            f"page is page {data.get('deep_page')}; the search `{data.get('search')}` matches "
            f"{data.get('search_matches_per_organization')} of them (its deep page: page {data.get('search_deep_page')}). "
            "Sign-in and abuse limits raised by their flags for the run.",
            "",
        ]
    lines += ["## Targets", "", "| target | measured | result |", "|---|---|---|"]
    for t in report["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {verdict(t['passed'])} |")
    lines += [
        "",
        "## Throughput and latency",
        "",
        "Each cell: requests per second · p50 / p99 latency. `not run`: that configuration needs a service script "
        "that is not in this checkout (scripts/services/postgres.sh, nginx.sh).",
        "",
        "| scenario | " + " | ".join(label for _, label in CONFIGURATIONS) + " |",
        "|---|" + "---|" * len(CONFIGURATIONS),
    ]
    titles = []
    for _, config in configs.items():
        for s in config["scenarios"]:
            if (s["scenario"], s["title"]) not in titles:
                titles.append((s["scenario"], s["title"]))
    for scenario, title in titles:
        row = [cell(by_scenario(configs.get(key)).get(scenario)) for key, _ in CONFIGURATIONS]
        lines.append(f"| {title} | " + " | ".join(row) + " |")
    latency = report.get("latency")
    if latency:
        lines += ["", f"### The lists at {latency['load_tool']['connections']} connections (SQLite, one instance)", "",
                  "At 16 connections two cores are saturated and a list's p99 is mostly its wait in the queue; this "
                  "pass measures the lists under a heavy load the machine sustains.", "",
                  "| scenario | SQLite, one instance |", "|---|---|"]
        for s in latency["scenarios"]:
            lines.append(f"| {s['title']} | {cell(s)} |")
    lines += ["", "## Floors (same machine, no HTTP)", ""]
    raw = report.get("raw_sqlite")
    if raw:
        lines += [f"Raw SQLite: {raw['engine']}, one connection, {raw['seconds']} s each.", "",
                  "| statement | per second | p50 | p99 |", "|---|---|---|---|"]
        names = {"insert": "Insert a ticket (one transaction each)", "list_first": "List page + count, first page",
                 "list_deep": "List page + count, deep page", "search_first": "Search page + count, first page",
                 "search_deep": "Search page + count, deep page"}
        for key, title in names.items():
            if key in raw:
                f = raw[key]
                lines.append(f"| {title} | {f['per_second']:,.0f} | {f['p50_ms']:.2f} ms | {f['p99_ms']:.2f} ms |")
        lines.append("")
    pg = report.get("pgbench")
    if pg:
        lines += ["pgbench (PostgreSQL's own client, same machine):", "", "| run | transactions/s | mean latency |",
                  "|---|---|---|"]
        for run in pg["runs"]:
            lines.append(f"| {run['name']} | {run['tps']:,.0f} | {run['latency_ms']:.2f} ms |")
        lines.append("")
    else:
        lines += ["pgbench: not run (PostgreSQL not available: scripts/services/postgres.sh is not in this checkout).", ""]
    return "\n".join(lines)


def main():
    directory = sys.argv[1]
    configs = {key: load(directory, key) for key, _ in CONFIGURATIONS}
    configs = {k: v for k, v in configs.items() if v}
    report = {
        "machine": load(directory, "machine"),
        "configurations": configs,
        "raw_sqlite": load(directory, "raw-sqlite"),
        "pgbench": load(directory, "pgbench"),
        "latency": load(directory, "sqlite-latency"),
    }
    report["targets"] = targets(configs, report["latency"])
    with open(os.path.join(directory, "report.json"), "w") as f:
        json.dump(report, f, indent=2)
    with open(os.path.join(directory, "report.md"), "w") as f:
        f.write(markdown(report) + "\n")
    for t in report["targets"]:
        print(f"bench-load: target {t['target']}: {t['measured']}: {verdict(t['passed'])}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
