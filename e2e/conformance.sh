#!/usr/bin/env bash
# Runs the official MCP conformance suite (@modelcontextprotocol/conformance, version pinned in
# e2e/package.json) against bin/skyvern-mcp --sandbox --transport http on a free loopback port.
#
# Every server scenario the suite lists runs, one at a time, except those in e2e/conformance-skip.txt
# (scenarios that need the suite's own fixture tools, resources or prompts; each with its reason).
# The script fails if a scenario that runs has a failing check, if the suite does not list a scenario
# named in the skip file or in REQUIRED below, or if the server does not exit cleanly on SIGTERM.
#
# Needs: `make build` and `cd e2e && npm ci` (`make test-conformance` does both). The suite needs
# Node >= 22, so it runs on the Node 22 that e2e/package.json installs from npm, like demo.sh.
#
#   e2e/conformance.sh                      # all applicable scenarios
#   e2e/conformance.sh ping tools-list      # only these (skipped ones are refused)
#   CONFORMANCE_KEEP=1 e2e/conformance.sh   # keep the per-scenario results and the server log
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
e2e="$root/e2e"
bin="${E2E_SKYVERN_MCP_BIN:-$root/bin/skyvern-mcp}"
node="$e2e/node_modules/.bin/node"
suite="$e2e/node_modules/@modelcontextprotocol/conformance/dist/index.js"
skipfile="$e2e/conformance-skip.txt"

# Scenarios that must run and pass whatever the skip file says (the issue names them).
REQUIRED=(server-initialize ping tools-list logging-set-level server-sse-multiple-streams dns-rebinding-protection
  resources-list resources-subscribe resources-unsubscribe prompts-list completion-complete)

die() { echo "conformance: $*" >&2; exit 1; }
[[ -x "$bin" ]] || die "$bin not found: run \`make build\` first"
[[ -x "$node" && -f "$suite" ]] || die "the e2e npm packages are not installed: run \`cd e2e && npm ci\` (or \`make e2e-deps\`)"

work="$(mktemp -d "${TMPDIR:-/tmp}/skyvern-mcp-conformance.XXXXXX")"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  if [[ -n "${CONFORMANCE_KEEP:-}" ]]; then echo "conformance: results kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The suite keeps nothing under $HOME that we need; give it a throwaway one, and Node 22 first on PATH.
export HOME="$work/home"
mkdir -p "$HOME"
export PATH="$e2e/node_modules/.bin:$PATH"
conformance() { "$node" "$suite" "$@"; }

version="$("$node" -p "require('$e2e/node_modules/@modelcontextprotocol/conformance/package.json').version")"

# --- the scenarios ----------------------------------------------------------------------------------
# `list --server` prints "  - name [spec versions]".
mapfile -t listed < <(conformance list --server | sed -n 's/^ *- \([a-z0-9][a-z0-9-]*\).*/\1/p')
(( ${#listed[@]} > 0 )) || die "the suite listed no server scenarios"
is_listed() { local s; for s in "${listed[@]}"; do [[ "$s" == "$1" ]] && return 0; done; return 1; }

declare -A skip_reason=()
while IFS= read -r line; do
  [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
  name="${line%%:*}"; reason="${line#*:}"
  name="${name//[[:space:]]/}"; reason="${reason# }"
  [[ -n "$name" && "$name" != "$line" && -n "$reason" ]] || die "$skipfile: expected 'scenario: reason', got: $line"
  is_listed "$name" || die "$skipfile names $name, which conformance $version does not list: remove it"
  skip_reason[$name]="$reason"
done <"$skipfile"
for name in "${REQUIRED[@]}"; do
  is_listed "$name" || die "conformance $version does not list the required scenario $name"
  [[ -z "${skip_reason[$name]:-}" ]] || die "$name is required but listed in $skipfile"
done

if (( $# > 0 )); then
  run=("$@")
  for name in "${run[@]}"; do
    is_listed "$name" || die "unknown scenario $name"
    [[ -z "${skip_reason[$name]:-}" ]] || die "$name is skipped: ${skip_reason[$name]}"
  done
else
  run=()
  for name in "${listed[@]}"; do [[ -n "${skip_reason[$name]:-}" ]] || run+=("$name"); done
fi

# --- the server -------------------------------------------------------------------------------------
log="$work/server.log"
# In an empty directory (no .env picked up), without the caller's keys.
(cd "$work" && exec env -u SKYVERN_API_KEY -u SKYVERN_API_KEY_FILE -u MCP_AUTH_TOKEN \
  "$bin" --sandbox --sandbox-run-seconds 1 --transport http --addr 127.0.0.1:0 2>"$log") &
server_pid=$!
addr=""
for _ in $(seq 1 150); do  # up to 15 s
  addr="$(sed -n 's/.*"addr":"\([^"]*\)".*"message":"listening".*/\1/p' "$log" | head -1)"
  [[ -n "$addr" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; die "the server exited before listening"; }
  sleep 0.1
done
[[ -n "$addr" ]] || { cat "$log" >&2; die "no \"listening\" log line within 15 s"; }
url="http://$addr/mcp"
echo "conformance: @modelcontextprotocol/conformance $version on node $("$node" --version) against $url"
echo "conformance: ${#run[@]} scenarios to run, ${#skip_reason[@]} skipped (e2e/conformance-skip.txt)"

# --- run --------------------------------------------------------------------------------------------
# A scenario passes when the suite exits 0 and none of its checks is a FAILURE (warnings are printed).
passed=() failed=()
for name in "${run[@]}"; do
  out="$work/results/$name"
  mkdir -p "$out"
  status=0
  timeout 120 "$node" "$suite" server --url "$url" --scenario "$name" -o "$out" >"$out/output.txt" 2>&1 || status=$?
  verdict="$("$node" --input-type=commonjs - "$out" <<'EOF'
const fs = require("node:fs"), path = require("node:path");
const dir = process.argv[2];
const files = [];
for (const d of fs.readdirSync(dir)) {
  const f = path.join(dir, d, "checks.json");
  if (fs.existsSync(f)) files.push(f);
}
if (files.length === 0) { console.log("FAIL no checks.json written"); process.exit(0); }
const checks = files.flatMap((f) => JSON.parse(fs.readFileSync(f, "utf8")));
const bad = checks.filter((c) => c.status === "FAILURE");
const warn = checks.filter((c) => c.status === "WARNING");
const ok = checks.filter((c) => c.status === "SUCCESS");
if (ok.length === 0 && bad.length === 0) { console.log("FAIL no check passed"); process.exit(0); }
const fmt = (c) => `${c.id}: ${c.errorMessage ?? ""}`.trim();
if (bad.length) console.log(`FAIL ${bad.map(fmt).join("; ")}`);
else console.log(`PASS ${ok.length} checks${warn.length ? `, warnings: ${warn.map(fmt).join("; ")}` : ""}`);
EOF
)"
  if [[ $status -eq 0 && "$verdict" == PASS* ]]; then
    passed+=("$name")
    echo "  ✔ $name (${verdict#PASS })"
  else
    failed+=("$name")
    echo "  ✖ $name (exit $status): ${verdict#FAIL }"
    # The suite's own account, without colours and without the scenario's long description.
    sed -e 's/\x1b\[[0-9;]*m//g' "$out/output.txt" | sed -n '1,/^=== Failed Checks/p;/Error:/p' | sed 's/^/      /' | head -30
  fi
done
for name in "${!skip_reason[@]}"; do echo "  - $name skipped: ${skip_reason[$name]}"; done | sort

# --- the server afterwards: alive, no panic, clean exit on SIGTERM -----------------------------------
kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; die "the server died during the suite"; }
kill -TERM "$server_pid"
exit_code=0
wait "$server_pid" || exit_code=$?
server_pid=""
if grep -qi 'panic' "$log"; then grep -i 'panic' "$log" >&2; die "the server log mentions a panic"; fi
(( exit_code == 0 )) || { tail -20 "$log" >&2; die "the server exited $exit_code after SIGTERM"; }

echo "conformance: ${#passed[@]} passed, ${#failed[@]} failed, ${#skip_reason[@]} skipped"
if (( ${#failed[@]} > 0 )); then
  echo "conformance: failing: ${failed[*]}" >&2
  exit 1
fi
