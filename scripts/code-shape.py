#!/usr/bin/env python3
"""Code-shape figures for a checkout: Rust files per area, the largest files, the longest functions and the
module import cycles of each crate (a `use crate::...` graph; comment lines are skipped).

    python3 scripts/code-shape.py [CHECKOUT]

Function lengths are counted by matching braces, so a `{` inside a string literal can make one look longer
than it is. Used for the figures in the restructure note (issue 9); not part of the test command."""
import os, re, sys, subprocess
root = sys.argv[1] if len(sys.argv) > 1 else "."
files = subprocess.run(["git","ls-files","-co","--exclude-standard"],cwd=root,capture_output=True,text=True).stdout.split()
rs = [f for f in files if f.endswith(".rs") and os.path.exists(os.path.join(root,f))]
print("rust files:", len(rs), " (src/:", len([f for f in rs if f.startswith("src/")]), ", crates/api/src:", len([f for f in rs if f.startswith("crates/api/src")]), ", crates/server/src:", len([f for f in rs if f.startswith("crates/server/src")]), ", tests:", len([f for f in rs if "/tests/" in f or f.startswith("tests/")]),")")
sizes = sorted(((sum(1 for _ in open(os.path.join(root,f))), f) for f in rs), reverse=True)
print("largest files:", sizes[:5])
nontest = [s for s in sizes if not ("/tests/" in s[1] or s[1].startswith("tests/"))]
print("largest non-test files:", nontest[:5])
fnre = re.compile(r'^\s*(pub(\([^)]*\))?\s+)?(async\s+)?(const\s+)?(unsafe\s+)?fn\s+(\w+)')
funcs = []
for f in rs:
    lines = open(os.path.join(root,f)).read().split("\n")
    i = 0
    while i < len(lines):
        m = fnre.match(lines[i])
        if m:
            depth = 0; started = False; j = i
            while j < len(lines):
                depth += lines[j].count("{") - lines[j].count("}")
                if "{" in lines[j]: started = True
                if started and depth <= 0: break
                if not started and lines[j].rstrip().endswith(";"): break
                j += 1
            if started: funcs.append((j - i + 1, f"{f}:{i+1} {m.group(6)}"))
        i += 1
funcs.sort(reverse=True)
print("longest functions (all):", funcs[:6])
print("longest functions (non-test):", [x for x in funcs if not ("/tests/" in x[1] or x[1].startswith("tests/"))][:6])
# import graph between modules of each crate (crate::a::b -> module file)
def modgraph(srcdir, prefix):
    mods = {}
    for f in rs:
        if not f.startswith(srcdir + "/"): continue
        rel = f[len(srcdir)+1:-3]
        parts = rel.split("/")
        if parts[-1] in ("mod","lib","main"): parts = parts[:-1]
        mods["::".join(parts)] = f
    edges = {}
    for m, f in mods.items():
        text = '\n'.join(l for l in open(os.path.join(root,f)).read().split('\n') if not l.lstrip().startswith('//'))
        deps = set()
        # expand `use crate::{a, b::c}` roughly
        for mm in re.finditer(r'crate::(\{[^;]*\}|[\w:]+)', text):
            body = mm.group(1)
            names = re.findall(r'[\w:]+', body) if body.startswith("{") else [body]
            for n in names:
                segs = n.split("::")
                # longest prefix that is a module
                for k in range(len(segs), 0, -1):
                    cand = "::".join(segs[:k])
                    if cand in mods and cand != m:
                        deps.add(cand); break
        # super:: references
        for mm in re.finditer(r'super::(\w+)', text):
            par = m.split("::")[:-1]
            cand = "::".join(par + [mm.group(1)])
            if cand in mods and cand != m: deps.add(cand)
        edges[m] = deps
    # find cycles: strongly connected components with >1 node
    index = {}; low = {}; stack = []; on = set(); sccs = []; c = [0]
    sys.setrecursionlimit(10000)
    def strong(v):
        index[v] = low[v] = c[0]; c[0] += 1; stack.append(v); on.add(v)
        for w in edges.get(v, ()):
            if w not in index: strong(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: sccs.append(sorted(comp))
    for v in edges:
        if v not in index: strong(v)
    pairs = sorted({tuple(sorted((a,b))) for a in edges for b in edges[a] if a in edges.get(b,())})
    print(f"{prefix}: modules {len(mods)}, cyclic groups {len(sccs)}, mutual import pairs {len(pairs)}")
    for s in sccs: print("   cycle group:", s)
modgraph("crates/server/src", "server")
modgraph("src", "spa")
modgraph("crates/api/src", "api")
