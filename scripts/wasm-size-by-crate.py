#!/usr/bin/env python3
"""Where the wasm's bytes go, by crate: reads `twiggy top --format csv` of a build with names and sums each
function's shallow size under one crate. A generic function instantiated for our types
(`reactive_graph::...<support_console::...>`) counts for the highest-level crate named in it, in the order
below (our code first, then Leptos, serde, wasm-bindgen, the standard library), since that is the code that
made the instance exist. Usage: twiggy top -n 1000000 --format csv FILE.wasm | wasm-size-by-crate.py"""

import csv
import re
import sys
from collections import defaultdict

# Highest level first.
GROUPS = [
    ("our pages and components (support_console)", ["support_console"]),
    ("shared API types and rules (api)", ["api"]),
    ("router (leptos_router)", ["leptos_router"]),
    ("leptos (components, for/show, suspense)", ["leptos", "leptos_dom", "leptos_macro"]),
    ("renderer (tachys)", ["tachys"]),
    ("reactive core (reactive_graph, reactive_stores, or_poisoned)", ["reactive_graph", "reactive_stores", "or_poisoned"]),
    ("async runtime (any_spawner, futures, slotmap, pin_project)", ["any_spawner", "futures_util", "futures_channel", "futures_core", "futures_executor", "slotmap", "pin_project", "send_wrapper", "throw_error"]),
    ("serde + serde-wasm-bindgen", ["serde", "serde_core", "serde_wasm_bindgen", "serde_json"]),
    ("HTTP (gloo-net, http)", ["gloo_net", "gloo_utils", "http"]),
    ("wasm-bindgen, js-sys, web-sys", ["wasm_bindgen", "wasm_bindgen_futures", "js_sys", "web_sys", "console_error_panic_hook"]),
    ("other crates", []),
    ("allocator (dlmalloc)", ["dlmalloc"]),
    ("standard library (core, alloc, std: formatting, panics, strings, collections)", ["core", "alloc", "std", "hashbrown", "compiler_builtins", "rustc_demangle"]),
]
CRATE_TO_GROUP = {crate: name for name, crates in GROUPS for crate in crates}
ORDER = {name: i for i, (name, _) in enumerate(GROUPS)}
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?=(\[[0-9a-f]+\])?::)")


def group_of(item: str) -> str:
    if not item or item.startswith('"') or item.startswith("data[") or item.startswith("elem[") or item.startswith("code["):
        return "data, tables and sections (string literals, vtables, names)"
    if item.startswith("__wbg") or item.startswith("__wbindgen") or item.startswith("import "):
        return "wasm-bindgen, js-sys, web-sys"
    found = [CRATE_TO_GROUP[m.group(0)] for m in WORD.finditer(item) if m.group(0) in CRATE_TO_GROUP]
    if found:
        return min(found, key=lambda g: ORDER[g])
    if "::" in item:
        return "other crates"
    return "unnamed (closures, shims, data)"


def main() -> None:
    sizes = defaultdict(int)
    total = 0
    for row in csv.DictReader(sys.stdin):
        item = row.get("Name") or row.get("Item") or ""
        if item.startswith('"function names"') or item.startswith('"name"'):
            continue  # the names section itself is not shipped
        size = int(row.get("ShallowSize") or row.get("Shallow Bytes") or 0)
        if item.startswith("data segment") or item.startswith("data["):
            group = "data, tables and sections (string literals, vtables, names)"
        else:
            group = group_of(item)
        sizes[group] += size
        total += size
    print(f"| group | bytes | share |\n|---|---:|---:|")
    for group, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"| {group} | {size:,} | {100 * size / total:.1f} % |")
    print(f"| total (without the names section) | {total:,} | 100 % |")


if __name__ == "__main__":
    main()
