// End-to-end tests of bin/skyvern-mcp over stdio, driven by the official MCP
// TypeScript SDK client (@modelcontextprotocol/sdk), which nobody here wrote.
// Run from e2e/ with `node --test --test-reporter=spec` (make test-e2e) after
// `make build` and `npm ci`.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const HERE = dirname(fileURLToPath(import.meta.url));
// E2E_SKYVERN_MCP_BIN runs the tests against another build of the server.
const BIN = resolve(process.env.E2E_SKYVERN_MCP_BIN || resolve(HERE, "..", "bin", "skyvern-mcp"));
const SANDBOX_ARGS = ["--sandbox", "--sandbox-run-seconds", "1"];

const EXPECTED_TOOLS = [
  "run_task", "get_run", "cancel_run", "get_run_timeline", "get_run_artifacts", "get_artifact",
  "retry_run_webhook", "run_workflow", "create_workflow", "get_workflows", "get_workflow",
  "get_workflow_versions", "update_workflow", "delete_workflow", "create_browser_session",
  "get_browser_session", "get_browser_sessions", "close_browser_session", "create_browser_profile",
  "list_browser_profiles", "get_browser_profile", "delete_browser_profile", "create_credential",
  "get_credentials", "get_credential", "delete_credential", "send_totp_code", "login",
  "download_files", "upload_file",
  "schedules_list_all", "schedules_create", "schedules_list", "schedules_get", "schedules_update",
  "schedules_delete", "schedules_enable", "schedules_disable", "create_script", "get_scripts", "get_script",
  "deploy_script", "run_script", "run_sdk_action",
];

const RUN_STATUSES = ["created", "queued", "running", "paused", "completed", "failed", "terminated", "canceled", "timed_out"];

const EXTRACTION_SCHEMA = {
  type: "object",
  properties: { title: { type: "string" }, price: { type: "number" } },
  required: ["title", "price"],
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** process.env without any SKYVERN_* variable (SKYVERN_API_KEY, SKYVERN_API_KEY_FILE, SKYVERN_SANDBOX, ...),
 * so the developer's own settings cannot change what the server does. */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.toUpperCase().startsWith("SKYVERN_")) env[k] = v;
  }
  return { ...env, ...extra };
}

function requireBinary() {
  if (!existsSync(BIN)) throw new Error(`${BIN} does not exist: run \`make build\` first`);
}

/** Starts the server with the SDK's stdio transport and returns a connected client plus its stderr tail. */
async function connect(args, { cwd, env } = {}) {
  requireBinary();
  const transport = new StdioClientTransport({
    command: BIN,
    args,
    env: env ?? cleanEnv(),
    cwd,
    stderr: "pipe",
  });
  let stderr = "";
  // Drain the server's logs so a full pipe can never block it; keep the tail for failure messages.
  transport.stderr?.on("data", (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const client = new Client({ name: "skyvern-mcp-e2e", version: "1.0.0" }, { capabilities: {} });
  await client.connect(transport);
  return { client, logs: () => stderr };
}

/** The concatenated text of a tool result's text content items. */
function textOf(result) {
  return (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

describe("skyvern-mcp --sandbox through the official MCP TypeScript SDK client", () => {
  let client;
  let logs;
  let runId;

  before(async () => {
    ({ client, logs } = await connect(SANDBOX_ARGS));
  });

  after(async () => {
    await client?.close();
  });

  test("initialize: server info and tools capability", () => {
    const info = client.getServerVersion();
    assert.equal(info?.name, "skyvern-mcp");
    assert.equal(typeof info.version, "string");
    assert.ok(info.version.length > 0, "serverInfo.version is empty");
    const caps = client.getServerCapabilities();
    assert.ok(caps?.tools, `capabilities.tools missing: ${JSON.stringify(caps)}`);
    assert.equal(typeof client.getInstructions(), "string");
  });

  test(`tools/list: exactly the ${EXPECTED_TOOLS.length} tools, each with schemas, a title and all four annotations`, async () => {
    const { tools, nextCursor } = await client.listTools();
    assert.equal(nextCursor, undefined, "tools/list paginated unexpectedly");
    const names = tools.map((t) => t.name);
    assert.equal(tools.length, EXPECTED_TOOLS.length, `got ${tools.length} tools: ${names.join(" ")}`);
    assert.deepEqual([...names].sort(), [...EXPECTED_TOOLS].sort());
    assert.equal(new Set(names).size, EXPECTED_TOOLS.length, "duplicate tool names");
    for (const t of tools) {
      assert.equal(t.inputSchema?.type, "object", `${t.name}: inputSchema.type`);
      assert.ok(t.outputSchema && typeof t.outputSchema === "object", `${t.name}: no outputSchema`);
      assert.equal(t.outputSchema.type, "object", `${t.name}: outputSchema.type`);
      assert.equal(typeof t.title, "string", `${t.name}: no title`);
      assert.ok(t.title.length > 0, `${t.name}: empty title`);
      assert.ok(typeof t.description === "string" && t.description.length > 20, `${t.name}: no description`);
      const a = t.annotations ?? {};
      for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"]) {
        assert.equal(typeof a[hint], "boolean", `${t.name}: annotations.${hint} is ${JSON.stringify(a[hint])}`);
      }
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    assert.equal(byName.get_run.annotations.readOnlyHint, true, "get_run should be read-only");
    assert.equal(byName.delete_workflow.annotations.destructiveHint, true, "delete_workflow should be destructive");
    assert.ok(byName.run_task.inputSchema.required?.includes("prompt"), "run_task must require prompt");
  });

  test("run_task waits for completion with progress notifications and returns schema-shaped output", { timeout: 45_000 }, async () => {
    const progress = [];
    // callTool validates structuredContent against the tool's outputSchema (cached by tools/list above);
    // a mismatch throws here, which would be a server bug.
    const result = await client.callTool(
      {
        name: "run_task",
        arguments: {
          prompt: "Find the first product on the page and return its title and price",
          url: "https://example.com/shop",
          data_extraction_schema: EXTRACTION_SCHEMA,
          wait_for_completion: true,
          timeout: 60,
        },
      },
      undefined,
      { onprogress: (p) => progress.push(p), timeout: 40_000 },
    );
    assert.notEqual(result.isError, true, `run_task failed: ${textOf(result)}\nserver log:\n${logs()}`);
    const sc = result.structuredContent;
    assert.ok(sc, "no structuredContent");
    assert.equal(sc.status, "completed", JSON.stringify(sc));
    assert.equal(typeof sc.run_id, "string");
    assert.ok(sc.run_id.startsWith("tsk_"), `run_id ${sc.run_id}`);
    runId = sc.run_id;

    // The output follows the data_extraction_schema.
    const out = sc.output;
    assert.ok(out && typeof out === "object" && !Array.isArray(out), `output is not an object: ${JSON.stringify(out)}`);
    for (const key of EXTRACTION_SCHEMA.required) assert.ok(key in out, `output lacks ${key}: ${JSON.stringify(out)}`);
    assert.equal(typeof out.title, "string");
    assert.ok(out.title.length > 0, "output.title is empty");
    assert.equal(typeof out.price, "number");
    assert.ok(Number.isFinite(out.price), `output.price ${out.price}`);

    // The text content is the same JSON as structuredContent.
    assert.deepEqual(JSON.parse(result.content[0].text), sc);

    // Progress: at least one notification, strictly increasing, each naming the run and its status.
    assert.ok(progress.length >= 1, "no progress notification arrived");
    for (let i = 1; i < progress.length; i++) {
      assert.ok(progress[i].progress > progress[i - 1].progress,
        `progress did not increase: ${JSON.stringify(progress.map((p) => p.progress))}`);
    }
    for (const p of progress) {
      assert.equal(typeof p.message, "string", `progress without message: ${JSON.stringify(p)}`);
      assert.ok(RUN_STATUSES.some((s) => p.message.includes(s)), `progress message names no status: ${p.message}`);
      assert.ok(p.message.includes(runId), `progress message does not name the run: ${p.message}`);
    }
  });

  test("get_run returns the completed run", { timeout: 20_000 }, async () => {
    assert.ok(runId, "no run_id from the run_task test");
    const result = await client.callTool({ name: "get_run", arguments: { run_id: runId } });
    assert.notEqual(result.isError, true, textOf(result));
    assert.equal(result.structuredContent.run_id, runId);
    assert.equal(result.structuredContent.status, "completed");
    assert.equal(typeof result.structuredContent.output?.title, "string");
  });

  test("get_run_artifacts lists a screenshot and a recording; get_artifact returns the screenshot as a PNG image", { timeout: 20_000 }, async () => {
    assert.ok(runId, "no run_id from the run_task test");
    const listed = await client.callTool({ name: "get_run_artifacts", arguments: { run_id: runId } });
    assert.notEqual(listed.isError, true, textOf(listed));
    const { artifacts, count } = listed.structuredContent;
    assert.ok(Array.isArray(artifacts) && artifacts.length > 0, "no artifacts");
    assert.equal(count, artifacts.length);
    const types = artifacts.map((a) => a.artifact_type);
    const shot = artifacts.find((a) => a.artifact_type.startsWith("screenshot"));
    assert.ok(shot, `no screenshot artifact among ${types.join(", ")}`);
    assert.ok(types.includes("recording"), `no recording artifact among ${types.join(", ")}`);
    assert.match(shot.artifact_id, /^a_/);

    const got = await client.callTool({ name: "get_artifact", arguments: { artifact_id: shot.artifact_id } });
    assert.notEqual(got.isError, true, textOf(got));
    assert.equal(got.structuredContent.artifact_id, shot.artifact_id);
    assert.equal(got.structuredContent.delivered_as, "image");
    const image = got.content.find((c) => c.type === "image");
    assert.ok(image, `no image content item: ${JSON.stringify(got.content.map((c) => c.type))}`);
    assert.equal(image.mimeType, "image/png");
    const bytes = Buffer.from(image.data, "base64");
    assert.ok(bytes.length > PNG_SIGNATURE.length, `image is ${bytes.length} bytes`);
    assert.deepEqual(bytes.subarray(0, 8), PNG_SIGNATURE, "image data is not a PNG");
  });

  test("a run that fails in the sandbox reports status failed with a failure_reason", { timeout: 30_000 }, async () => {
    const result = await client.callTool(
      {
        name: "run_task",
        arguments: { prompt: "Submit the form [sandbox:fail]", url: "https://example.com/form", wait_for_completion: true, timeout: 60 },
      },
      undefined,
      { timeout: 25_000 },
    );
    const sc = result.structuredContent;
    assert.ok(sc, `no structuredContent: ${textOf(result)}`);
    assert.equal(sc.status, "failed", JSON.stringify(sc));
    assert.ok(sc.run_id?.startsWith("tsk_"), `run_id ${sc.run_id}`);
    assert.equal(typeof sc.failure_reason, "string");
    assert.ok(sc.failure_reason.length > 0, "empty failure_reason");
  });

  test("get_run on an unknown run is a tool error mentioning 404", { timeout: 20_000 }, async () => {
    const result = await client.callTool({ name: "get_run", arguments: { run_id: "tsk_does_not_exist" } });
    assert.equal(result.isError, true, JSON.stringify(result));
    assert.match(textOf(result), /404/);
  });

  test("run_task without prompt is a tool error naming prompt", { timeout: 20_000 }, async () => {
    const result = await client.callTool({ name: "run_task", arguments: { url: "https://example.com" } });
    assert.equal(result.isError, true, JSON.stringify(result));
    assert.match(textOf(result), /prompt/);
  });
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

  test("tools/list still lists every tool", async () => {
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
    assert.equal(byId[2]?.result?.tools?.length, EXPECTED_TOOLS.length, "no tools/list result with every tool");
    assert.equal(byId[3]?.result?.isError, true, "no tools/call result");
    assert.ok(msgs.some((m) => m.error?.code === -32700), `no JSON-RPC parse error (-32700) for the malformed line:\n${stdout}`);
    assert.equal(exit.signal, null, `server did not exit after stdin closed (${exit.signal})`);
    assert.equal(exit.code, 0, "server exit code after stdin closed");
  });
});
