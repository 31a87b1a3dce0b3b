// End-to-end tests of bin/skyvern-mcp over stdio, driven by the official MCP
// TypeScript SDK client (@modelcontextprotocol/sdk), which nobody here wrote.
// Run from e2e/ with `node --test --test-reporter=spec` (make test-e2e) after
// `make build` and `npm ci`.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { BIN, EXPECTED_TOOLS, cleanEnv, connectStdio as connect, requireBinary, textOf } from "./lib/harness.mjs";
import { sessionTests } from "./lib/session.mjs";

const SANDBOX_ARGS = ["--sandbox", "--sandbox-run-seconds", "1"];

describe("skyvern-mcp --sandbox through the official MCP TypeScript SDK client", () => {
  // The same session runs over streamable HTTP and SSE in http.test.mjs.
  const ctx = {};

  before(async () => {
    Object.assign(ctx, await connect(SANDBOX_ARGS));
  });

  after(async () => {
    await ctx.client?.close();
  });

  // Over stdio every progress notification arrives, so at least one is required.
  sessionTests(ctx, { progress: "required" });
});

describe("skyvern-mcp without an API key (no --sandbox)", () => {
  let client;
  let dir;

  before(async () => {
    // HOME and cwd in an empty temp dir, so no .env file is picked up; no SKYVERN_* variables.
    dir = mkdtempSync(join(tmpdir(), "skyvern-mcp-e2e-nokey-"));
    ({ client } = await connect([], { cwd: dir, env: cleanEnv({ HOME: dir }) }));
  });

  after(async () => {
    await client?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("tools/list still lists the default tools", async () => {
    const { tools } = await client.listTools();
    assert.equal(tools.length, EXPECTED_TOOLS.length);
  });

  test("a call is a tool error that asks for SKYVERN_API_KEY", { timeout: 20_000 }, async () => {
    const result = await client.callTool({ name: "get_run", arguments: { run_id: "tsk_123" } });
    assert.equal(result.isError, true, JSON.stringify(result));
    assert.match(textOf(result), /SKYVERN_API_KEY/);
  });
});

describe("stdout hygiene (raw child process)", () => {
  test("every line on stdout is a JSON-RPC 2.0 message, including after a malformed input line", { timeout: 30_000 }, async () => {
    requireBinary();
    const child = spawn(BIN, SANDBOX_ARGS, { env: cleanEnv(), stdio: ["pipe", "pipe", "pipe"] });
    const exited = new Promise((res) => child.on("exit", (code, signal) => res({ code, signal })));
    child.stderr.resume(); // logs are not under test here; just drain them

    let stdout = "";
    let onLine;
    const allSeen = new Promise((res) => { onLine = res; });
    const wanted = () => {
      const msgs = stdout.split("\n").filter((l) => l.trim() !== "").map((l) => { try { return JSON.parse(l); } catch { return null; } });
      const ids = new Set(msgs.filter((m) => m && "id" in m).map((m) => m.id));
      return [1, 2, 3].every((id) => ids.has(id)) && msgs.some((m) => m?.error?.code === -32700);
    };
    child.stdout.on("data", (chunk) => {
      stdout += chunk.toString();
      if (wanted()) onLine();
    });

    const send = (obj) => child.stdin.write(JSON.stringify(obj) + "\n");
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw-e2e", version: "1" } } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "get_run", arguments: { run_id: "tsk_does_not_exist" } } });
    child.stdin.write("this is {not json\n");

    // Wait for the three responses and the parse error, but never longer than 15 s.
    let timer;
    await Promise.race([allSeen, new Promise((res) => { timer = setTimeout(res, 15_000); })]);
    clearTimeout(timer);
    child.stdin.end();
    let killer;
    const exit = await Promise.race([exited, new Promise((res) => { killer = setTimeout(() => { child.kill("SIGKILL"); res({ code: null, signal: "timeout" }); }, 10_000); })]);
    clearTimeout(killer);

    const lines = stdout.split("\n").filter((l) => l !== "");
    assert.ok(lines.length >= 4, `only ${lines.length} stdout lines:\n${stdout}`);
    const msgs = lines.map((l, i) => {
      let m;
      assert.doesNotThrow(() => { m = JSON.parse(l); }, `stdout line ${i + 1} is not JSON: ${l}`);
      assert.equal(m?.jsonrpc, "2.0", `stdout line ${i + 1} is not JSON-RPC 2.0: ${l}`);
      return m;
    });
    const byId = Object.fromEntries(msgs.filter((m) => m.id !== undefined && m.id !== null).map((m) => [m.id, m]));
    assert.equal(byId[1]?.result?.serverInfo?.name, "skyvern-mcp", "no initialize result");
    assert.equal(byId[2]?.result?.tools?.length, EXPECTED_TOOLS.length, "no tools/list result with the default tools");
    assert.equal(byId[3]?.result?.isError, true, "no tools/call result");
    assert.ok(msgs.some((m) => m.error?.code === -32700), `no JSON-RPC parse error (-32700) for the malformed line:\n${stdout}`);
    assert.equal(exit.signal, null, `server did not exit after stdin closed (${exit.signal})`);
    assert.equal(exit.code, 0, "server exit code after stdin closed");
  });
});

describe("cancellation over stdio", () => {
  let client;

  before(async () => {
    ({ client } = await connect(["--sandbox", "--sandbox-run-seconds", "60"]));
  });

  after(async () => {
    await client?.close();
  });

  test("a cancelled tools/call gets no response; the next call does", { timeout: 30_000 }, async () => {
    const errors = [];
    client.onerror = (err) => errors.push(String(err?.message ?? err));
    const abort = new AbortController();
    const call = client.callTool(
      { name: "run_task", arguments: { prompt: "wait for me", wait_for_completion: true } },
      undefined,
      // Cancel once the server reports progress: the call is in flight then.
      { signal: abort.signal, onprogress: () => abort.abort("user pressed stop") },
    );
    await assert.rejects(call);
    // A later call is answered; a response to the cancelled one, sent before it,
    // would have reached onerror as "a response for an unknown message ID".
    const res = await client.callTool({ name: "get_browser_sessions", arguments: {} });
    assert.notEqual(res.isError, true, JSON.stringify(res));
    const res2 = await client.callTool({ name: "get_browser_sessions", arguments: {} });
    assert.notEqual(res2.isError, true, JSON.stringify(res2));
    assert.deepEqual(errors.filter((e) => /unknown message ID/i.test(e)), []);
  });
});
