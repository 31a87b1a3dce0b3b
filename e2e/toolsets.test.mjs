// End-to-end tests of the tool selection flags (--read-only, --tools,
// --exclude-tools, --toolsets) with the official MCP TypeScript SDK client
// over stdio: what tools/list shows, and that a hidden tool cannot be called.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(process.env.E2E_SKYVERN_MCP_BIN || resolve(HERE, "..", "bin", "skyvern-mcp"));

function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.toUpperCase().startsWith("SKYVERN_")) env[k] = v;
  }
  return env;
}

async function withServer(args, fn) {
  if (!existsSync(BIN)) throw new Error(`${BIN} does not exist: run \`make build\` first`);
  const transport = new StdioClientTransport({ command: BIN, args: ["--sandbox", ...args], env: cleanEnv(), stderr: "ignore" });
  const client = new Client({ name: "skyvern-mcp-e2e-toolsets", version: "1.0.0" }, { capabilities: {} });
  await client.connect(transport);
  try {
    await fn(client);
  } finally {
    await client.close();
  }
}

describe("tool selection flags through the official MCP TypeScript SDK client", () => {
  test("--read-only lists only read-only tools and refuses a call to run_task with the reason", async () => {
    await withServer(["--read-only"], async (client) => {
      const { tools } = await client.listTools();
      assert.ok(tools.length >= 13, `only ${tools.length} tools`);
      for (const t of tools) {
        assert.equal(t.annotations?.readOnlyHint, true, `${t.name} is listed under --read-only but not read-only`);
      }
      const names = tools.map((t) => t.name);
      assert.ok(names.includes("get_run"));
      assert.ok(!names.includes("run_task"));
      await assert.rejects(
        client.callTool({ name: "run_task", arguments: { prompt: "x" } }),
        (err) => {
          assert.equal(err.code, -32602);
          assert.match(String(err.message), /tool run_task is not enabled on this server/);
          assert.match(String(err.message), /start without --read-only/);
          return true;
        },
      );
      // A listed tool still works.
      const res = await client.callTool({ name: "get_browser_sessions", arguments: {} });
      assert.notEqual(res.isError, true, JSON.stringify(res));
    });
  });

  test("--tools serves exactly those tools; --exclude-tools hides one of them", async () => {
    await withServer(["--tools", "get_run,run_task,cancel_run", "--exclude-tools", "cancel_run"], async (client) => {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ["get_run", "run_task"]);
      await assert.rejects(client.callTool({ name: "cancel_run", arguments: { run_id: "tsk_1" } }), /tool cancel_run is not enabled on this server: --exclude-tools hides it/);
      const run = await client.callTool({ name: "run_task", arguments: { prompt: "Find the price" } });
      assert.notEqual(run.isError, true, JSON.stringify(run));
      assert.match(run.structuredContent.run_id, /^tsk_/);
    });
  });

  test("--toolsets all lists more tools than the default set, which has at most 40", async () => {
    let defaultCount = 0;
    await withServer([], async (client) => {
      defaultCount = (await client.listTools()).tools.length;
    });
    assert.ok(defaultCount >= 30 && defaultCount <= 40, `default set has ${defaultCount} tools`);
    await withServer(["--toolsets", "all"], async (client) => {
      const { tools } = await client.listTools();
      assert.ok(tools.length >= defaultCount, `all: ${tools.length}, default: ${defaultCount}`);
      assert.equal(new Set(tools.map((t) => t.name)).size, tools.length, "duplicate tool names");
    });
  });

  test("an unknown tool name stops the server at start-up and lists the valid names", () => {
    const r = spawnSync(BIN, ["--sandbox", "--tools", "get_runz"], { env: cleanEnv(), encoding: "utf8", timeout: 10000, input: "" });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unknown tool "get_runz"; valid tools: run_task, get_run/);
  });
});
