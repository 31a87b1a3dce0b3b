#!/usr/bin/env bash
# Demo: run a browser task on the embedded Skyvern sandbox through the official
# MCP inspector CLI (@modelcontextprotocol/inspector, from e2e/node_modules) and
# print the finished run. Exits non-zero unless the run completed.
#
# Needs: `make build` (bin/skyvern-mcp) and `cd e2e && npm ci`. `make demo` does both.
# The inspector 2.x needs Node >= 22.19, so it runs on the Node 22 that e2e/package.json
# installs from npm (the `node` package), whatever the system's node is.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
e2e="$root/e2e"
bin="${E2E_SKYVERN_MCP_BIN:-$root/bin/skyvern-mcp}"  # E2E_SKYVERN_MCP_BIN: another build
node="$e2e/node_modules/.bin/node"
inspector="$e2e/node_modules/.bin/mcp-inspector"

die() { echo "demo: $*" >&2; exit 1; }
[[ -x "$bin" ]] || die "$bin not found: run \`make build\` first"
[[ -x "$node" && -e "$inspector" ]] || die "the e2e npm packages are not installed: run \`cd e2e && npm ci\` (or \`make e2e-deps\`)"

# The inspector keeps state under $HOME; give it a throwaway one.
home="$(mktemp -d "${TMPDIR:-/tmp}/skyvern-mcp-demo.XXXXXX")"
out="$home/result.json"
trap 'rm -rf "$home"' EXIT

args='{
  "prompt": "Find the top headline on the page",
  "url": "https://news.ycombinator.com",
  "wait_for_completion": true,
  "timeout": 120,
  "data_extraction_schema": {
    "type": "object",
    "properties": {
      "headline": {"type": "string", "description": "Text of the top headline"},
      "points": {"type": "integer", "description": "Points of the top story"}
    },
    "required": ["headline"]
  }
}'

echo "demo: MCP inspector $("$node" "$inspector" --version 2>/dev/null || echo '?') on node $("$node" --version)" >&2
echo "demo: tools/call run_task on bin/skyvern-mcp --sandbox (simulated Skyvern, no network, no key)..." >&2

# Node 22 first on PATH, so anything the inspector spawns with `node` is Node 22 too.
status=0
HOME="$home" PATH="$e2e/node_modules/.bin:$PATH" \
  "$node" "$inspector" --cli \
  --format json \
  --method tools/call --tool-name run_task --tool-args-json "$args" \
  -- "$bin" --sandbox --sandbox-run-seconds 2 \
  >"$out" || status=$?

# Print the finished run (structuredContent) as pretty JSON; fail unless it completed.
"$node" --input-type=commonjs - "$out" "$status" <<'EOF'
const fs = require("node:fs");
const [file, status] = process.argv.slice(2);
const raw = fs.readFileSync(file, "utf8");
let doc;
try {
  doc = JSON.parse(raw);
} catch {
  console.error(`demo: the inspector exited ${status} without a JSON result:\n${raw}`);
  process.exit(1);
}
const result = doc.result;
if (!result) {
  console.error(`demo: the inspector exited ${status}: ${JSON.stringify(doc.error ?? doc)}`);
  process.exit(1);
}
if (result.isError) {
  const text = (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
  console.error(`demo: run_task returned an error: ${text}`);
  process.exit(1);
}
const run = result.structuredContent;
console.log(JSON.stringify(run, null, 2));
if (run?.status !== "completed") {
  console.error(`demo: the run ended ${run?.status ?? "without a status"}, not completed`);
  process.exit(1);
}
console.error(`demo: run ${run.run_id} completed; output: ${JSON.stringify(run.output)}`);
EOF
