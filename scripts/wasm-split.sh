#!/usr/bin/env bash
# Trunk post-build hook (Trunk.toml): cuts the pages that load on demand (src/pages/on_demand.rs) out of the app's
# wasm into chunks of their own. Trunk 0.21 has no stage between cargo and wasm-bindgen (trunk issue 1022), so this
# starts again from cargo's output (linked with --emit-relocs by build.rs) and replaces the JS and wasm Trunk staged:
#   1. wasm-split-cli: main module + one chunk per split point + __wasm_split.js (the chunk loader; it fetches each
#      chunk from `new URL("./<chunk>.wasm", import.meta.url)`, so next to the bundle wherever that is served from);
#   2. wasm-bindgen on the main module, with --keep-lld-exports (the chunks import its function table, which
#      wasm-bindgen drops otherwise);
#   3. release only: wasm-opt -O3 on the main module and on each chunk, the chunks without the custom sections only
#      tools read (index.html sets data-wasm-opt="0" so Trunk does not optimise the module this step throws away).
#      -O3, not -Os or -Oz: the speed-first passes leave the modules 2-3 % larger raw but smaller after brotli, which
#      is what is downloaded (cargo's code is already size-first, opt-level "z"). Measured on the same split output:
#      all chunks 250,499 -> 245,416 B brotli, the ticket page's own chunk 41,318 -> 40,683 B, the main module
#      -203 B; -Oz was larger than -Os, as before (first visit 218,428 -> 217,844 B with -Os over -Oz);
#   4. release only: the JavaScript minified (below);
#   5. the files keep the hashed names Trunk gave them (the hash is of the unsplit module, so it still changes
#      whenever the code does), and the sha384 `integrity` attributes in index.html are computed again;
#   6. the files each page loaded on demand needs are listed in index.html (its `support-chunks` block).
# Env (set by Trunk): TRUNK_STAGING_DIR, TRUNK_PROFILE, TRUNK_PUBLIC_URL.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SUPPORT_ROOT"

staging="${TRUNK_STAGING_DIR:?wasm-split.sh runs as the post_build hook of Trunk}"
profile="${TRUNK_PROFILE:-debug}"
command -v wasm-split-cli >/dev/null || {
  echo "wasm-split: wasm-split-cli not found: run scripts/setup.sh" >&2
  exit 1
}

input="$(support_target_dir)/wasm32-unknown-unknown/${profile}/support-console.wasm"
[ -f "$input" ] || { echo "wasm-split: ${input} missing" >&2; exit 1; }
# Builds with debug assertions (`trunk serve`) keep every page in the one module (cfg(eager_pages), build.rs):
# no split points, nothing to do.
if ! grep -q --binary-files=text '__wasm_split_unstable' "$input"; then
  echo "wasm-split: no split points in ${input} (${profile} build): left as Trunk built it"
  exit 0
fi

# Trunk's hashed name for the bundle, e.g. support-console-afd7703e91f3c8ce.
shopt -s nullglob
staged=("$staging"/support-console-*_bg.wasm)
[ "${#staged[@]}" -eq 1 ] || { echo "wasm-split: expected one support-console-*_bg.wasm in ${staging}" >&2; exit 1; }
stem="$(basename "${staged[0]}" _bg.wasm)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

wasm-split-cli "$input" "$work/split" --out-name "$stem"
wasm-bindgen --target web --no-typescript --keep-lld-exports --out-dir "$work/bindgen" --out-name "$stem" \
  "$work/split/${stem}.wasm"

if [ "$profile" = release ]; then
  for module in "$work/bindgen/${stem}_bg.wasm" "$work"/split/split_*.wasm "$work"/split/chunk_*.wasm; do
    # The chunks lose the custom sections only tools read (producers, target features): about 120 B brotli per
    # chunk. Not the main module: the same 300 raw bytes removed from it made it 150 B *larger* after brotli
    # (measured with check-size.sh on this build).
    case "$module" in
      */split/*) wasm-opt -O3 --strip-producers --strip-target-features --output "${module}.opt" "$module" ;;
      *) wasm-opt -O3 --output "${module}.opt" "$module" ;;
    esac
    mv "${module}.opt" "$module"
  done
fi

cp "$work/bindgen/${stem}.js" "$work/bindgen/${stem}_bg.wasm" "$staging/"
if [ -d "$work/bindgen/snippets" ]; then
  cp -R "$work/bindgen/snippets/." "$staging/snippets/"
fi
# Each chunk gets a hash of its content in its name, as Trunk's files have (`chunk_5-<16 hex>.wasm`), and the loader
# asks for it by that name: the server lets a browser cache hashed files for good (crates/server/src/http/spa.rs),
# where a bare `chunk_5.wasm` had to be revalidated, one round trip per file, on every later visit.
chunks=0
for file in "$work"/split/split_*.wasm "$work"/split/chunk_*.wasm; do
  base="$(basename "$file" .wasm)"
  hash="$(sha256sum "$file" | cut -c1-16)"
  cp "$file" "$staging/${base}-${hash}.wasm"
  sed -i "s|\"\./${base}\.wasm\"|\"./${base}-${hash}.wasm\"|" "$work/split/__wasm_split.js"
  grep -q "\"\./${base}-${hash}\.wasm\"" "$work/split/__wasm_split.js" || {
    echo "wasm-split: ${base}.wasm not found in __wasm_split.js" >&2
    exit 1
  }
  chunks=$((chunks + 1))
done
cp "$work/split/__wasm_split.js" "$staging/"

# Release only: wasm-bindgen's JavaScript minified (terser, from tests/e2e/node_modules like wasm-opt; Trunk's
# own `minify` in Trunk.toml covers index.html and the CSS, not the JS this script writes). As modules, so exported
# names stay: index.html's loader and the chunk loader import them. The bundle's JS and its snippets: 11,052 ->
# 8,202 B brotli. Not the chunk loader (__wasm_split.js, 375 B to win): the step below reads which chunks each
# page needs from its source.
if [ "$profile" = release ]; then
  command -v terser >/dev/null || { echo "wasm-split: terser not found: run scripts/setup.sh" >&2; exit 1; }
  while IFS= read -r -d '' script; do
    terser "$script" --module --compress --mangle --output "${script}.min"
    mv "${script}.min" "$script"
  done < <(find "$staging" -name '*.js' ! -name '__wasm_split.js' -print0)
fi

# The integrity attributes Trunk wrote hash the files it built; these are new files under the same names.
python3 - "$staging" "${TRUNK_PUBLIC_URL:-/}" <<'PY'
import base64, hashlib, json, pathlib, re, sys

staging, public_url = pathlib.Path(sys.argv[1]), sys.argv[2]
index = staging / "index.html"
html = index.read_text()

# Attribute values quoted or not: Trunk's minified index.html (release builds) leaves them unquoted.
def rehash(tag):
    tag = tag.group(0)
    href = re.search(r'href=(?:"([^"]+)"|([^\s">]+))', tag)
    if not href or "integrity=" not in tag:
        return tag
    path = href.group(1) or href.group(2)
    if path.startswith(public_url):
        path = path[len(public_url):]
    digest = base64.b64encode(hashlib.sha384((staging / path.lstrip("/")).read_bytes()).digest()).decode()
    return re.sub(r'integrity=(?:"sha384-[^"]*"|sha384-[^\s">]*)', f'integrity="sha384-{digest}"', tag)

html = re.sub(r"<link\b[^>]*>", rehash, html)

# Which files each page loaded on demand needs, from the chunk loader:
#   `const __chunk_5 = makeLoad(() => { ... "./chunk_5-<hash>.wasm" ...}, []);` and
#   `export const __wasm_split_load_<name> = wrapAsyncCb(makeLoad(() => { ... "./split_<name>-<hash>.wasm" ...},
#   [__chunk_5]));`
# written into index.html's `support-chunks` block ({"tickets_chunk": ["/split_tickets_chunk-<hash>.wasm", ...]}),
# so that the page can ask for them while the main module downloads (index.html), and scripts/check-size.sh can
# count them.
js = (staging / "__wasm_split.js").read_text()
shared = dict(re.findall(r'const (__chunk_\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\./([^"]+\.wasm)"', js))
pages = {}
for split, deps in re.findall(r'export const __wasm_split_load_\w+ = wrapAsyncCb\(makeLoad\(\(\) => \{\s*'
                              r'const src = fetch\(new URL\("\./(split_[^"]+\.wasm)".*?\n, \[([^\]]*)\]', js, re.S):
    files = [split] + [shared[d.strip()] for d in deps.split(",") if d.strip()]
    name = re.fullmatch(r"split_(.+)-[0-9a-f]{16}\.wasm", split).group(1)
    pages[name] = [public_url.rstrip("/") + "/" + f for f in files]
if not pages:
    sys.exit("wasm-split: no page found in __wasm_split.js (has its format changed?)")
# (Any attribute order: Trunk's minifier reorders them.)
block = re.compile(r'(<script\b[^>]*\bid="?support-chunks"?[^>]*>).*?(</script>)', re.S)
if not block.search(html):
    sys.exit("wasm-split: index.html has no support-chunks block")
html = block.sub(lambda m: m.group(1) + json.dumps(pages, separators=(",", ":")) + m.group(2), html)
index.write_text(html)
PY
echo "wasm-split: ${stem}: main module and ${chunks} chunk(s) (${profile})"
