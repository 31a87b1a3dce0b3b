// `make bench-browser`: per-action latency of the browser tools through bin/skyvern-mcp (--sandbox, a real
// Chromium per session) against the same actions through Playwright MCP (@playwright/mcp, pinned in
// package.json) on the same local page with the same Chromium, in one run, over stdio with the official
// TypeScript SDK client. Prints a markdown table of medians and the ratio, and the RSS of one sandbox
// browser session (the Chromium process tree). Not part of make test.
import { createServer } from "node:http";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { connectStdio, textOf } from "./lib/harness.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.BENCH_N || 15);
const CHROMIUM = process.env.SKYVERN_CHROMIUM || ["/usr/bin/chromium", "/usr/bin/chromium-headless-shell"].find((p) => existsSync(p));
if (!CHROMIUM) {
  console.log("SKIPPED: no Chromium found: install the Debian package chromium");
  process.exit(0);
}

const html = `<!doctype html><title>Form</title><h1>Sign up</h1><form action="/done"><label>Name <input name="name"></label>
<button type="submit">Send</button></form><p>${"Some text. ".repeat(50)}</p>`;
const site = createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/html" });
  res.end(req.url.startsWith("/done") ? `<!doctype html><title>Done</title><p>Thanks</p>` : html);
});
await new Promise((r) => site.listen(0, "127.0.0.1", r));
const URL_FORM = `http://127.0.0.1:${site.address().port}/form`;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
async function timed(fn) { const t = performance.now(); const r = await fn(); return [performance.now() - t, r]; }
async function call(client, name, args) {
  const res = await client.callTool({ name, arguments: args });
  if (res.isError) throw new Error(`${name}: ${textOf(res)}`);
  return res;
}

/** Runs the loop with one server's tool names; returns { action: [ms...] }. */
async function loop(client, t) {
  const times = { navigate: [], snapshot: [], type: [], click: [], screenshot: [] };
  for (let i = 0; i <= N; i++) {
    const keep = i > 0; // the first round warms up
    const rec = (k, ms) => { if (keep) times[k].push(ms); };
    let [ms] = await timed(() => call(client, t.navigate.name, t.navigate.args(URL_FORM))); rec("navigate", ms);
    let snap;
    [ms, snap] = await timed(() => call(client, t.snapshot.name, t.snapshot.args())); rec("snapshot", ms);
    const text = snap.structuredContent?.snapshot ?? textOf(snap);
    const nameRef = /textbox "Name" \[ref=(\w+)\]/.exec(text)?.[1];
    const sendRef = /button "Send" \[ref=(\w+)\]/.exec(text)?.[1];
    if (!nameRef || !sendRef) throw new Error("no refs in snapshot:\n" + text.slice(0, 2000));
    [ms] = await timed(() => call(client, t.type.name, t.type.args(nameRef, "Ada"))); rec("type", ms);
    [ms] = await timed(() => call(client, t.screenshot.name, t.screenshot.args())); rec("screenshot", ms);
    [ms] = await timed(() => call(client, t.click.name, t.click.args(sendRef))); rec("click", ms);
  }
  return times;
}

/** Memory of the Chromium processes whose command line holds marker: { rss, pss } in bytes (RSS counts shared pages
 * once per process, PSS shares them out: the tree's real footprint). */
function chromiumRSS(marker) {
  let total = 0;
  let pss = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!cmd.includes(marker)) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) total += Number(m[1]) * 1024;
      const p = /Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
      if (p) pss += Number(p[1]) * 1024;
    } catch { /* gone */ }
  }
  return { rss: total, pss };
}

// Ours.
const ours = await connectStdio(["--sandbox", "--toolsets", "browser_sessions,browser", "--sandbox-chromium", CHROMIUM]);
const sess = (await call(ours.client, "create_browser_session", {})).structuredContent;
const s = (a) => ({ browser_session_id: sess.browser_session_id, ...a });
const oursTimes = await loop(ours.client, {
  navigate: { name: "browser_navigate", args: (url) => s({ url }) },
  snapshot: { name: "browser_snapshot", args: () => s({}) },
  type: { name: "browser_type", args: (ref, text) => s({ ref, text, clear: true }) },
  click: { name: "browser_click", args: (ref) => s({ ref }) },
  screenshot: { name: "browser_screenshot", args: () => s({}) },
});
await call(ours.client, "browser_navigate", s({ url: URL_FORM }));
const rss = chromiumRSS("skyvern-mcp-chromium-");
await call(ours.client, "close_browser_session", { browser_session_id: sess.browser_session_id });
await ours.client.close();

// Playwright MCP, same Chromium.
let pwTimes = null;
const PW = resolve(HERE, "node_modules", "@playwright", "mcp", "cli.js");
if (existsSync(PW)) {
  const args = [PW, "--headless", "--isolated", "--executable-path", CHROMIUM, "--viewport-size", "1280,720"];
  if (process.getuid?.() === 0) args.push("--no-sandbox");
  const transport = new StdioClientTransport({ command: process.execPath, args, stderr: "ignore" });
  const pw = new Client({ name: "bench", version: "1" }, { capabilities: {} });
  await pw.connect(transport);
  pwTimes = await loop(pw, {
    navigate: { name: "browser_navigate", args: (url) => ({ url }) },
    snapshot: { name: "browser_snapshot", args: () => ({}) },
    type: { name: "browser_type", args: (ref, text) => ({ element: "Name", target: ref, text }) },
    click: { name: "browser_click", args: (ref) => ({ element: "Send", target: ref }) },
    screenshot: { name: "browser_take_screenshot", args: () => ({}) },
  });
  await pw.close();
}
site.close();

console.log(`\nBrowser actions through MCP over stdio, median of ${N} (ms), same page, same Chromium (${CHROMIUM})\n`);
console.log("| Action | skyvern-mcp | Playwright MCP | ratio (skyvern-mcp / Playwright) |");
console.log("|---|---|---|---|");
for (const k of Object.keys(oursTimes)) {
  const a = median(oursTimes[k]);
  const b = pwTimes ? median(pwTimes[k]) : NaN;
  console.log(`| ${k} | ${a.toFixed(1)} | ${pwTimes ? b.toFixed(1) : "—"} | ${pwTimes ? (a / b).toFixed(2) : "—"} |`);
}
console.log(`\nMemory of one sandbox browser session (its Chromium process tree, page loaded): PSS ${(rss.pss / 1048576).toFixed(0)} MiB (sum of RSS ${(rss.rss / 1048576).toFixed(0)} MiB, shared pages counted per process)`);
