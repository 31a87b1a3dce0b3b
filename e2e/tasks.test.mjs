// End-to-end tests of MCP tasks (2025-11-25) on bin/skyvern-mcp --sandbox,
// driven by the official TypeScript SDK client's experimental tasks API
// (client.experimental.tasks). Run from e2e/ with `node --test` after
// `make build` and `npm ci`.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(process.env.E2E_SKYVERN_MCP_BIN || resolve(HERE, "..", "bin", "skyvern-mcp"));
const STATUS_RE = /Skyvern run (\S+) is (\w+), step (\d+)/;

function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.toUpperCase().startsWith("SKYVERN_")) env[k] = v;
  }
  return env;
}

async function connect(args) {
  if (!existsSync(BIN)) throw new Error(`${BIN} does not exist: run \`make build\` first`);
  const transport = new StdioClientTransport({ command: BIN, args, env: cleanEnv(), stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const client = new Client({ name: "skyvern-mcp-e2e-tasks", version: "1.0.0" }, { capabilities: {} });
  await client.connect(transport);
  return { client, logs: () => stderr };
}

describe("skyvern-mcp tasks through the official MCP TypeScript SDK client", () => {
  let client;
  let logs;

  before(async () => {
    ({ client, logs } = await connect(["--sandbox", "--sandbox-run-seconds", "4"]));
  });

  after(async () => {
    await client?.close();
  });

  test("capabilities and tools declare task support", async () => {
    const caps = client.getServerCapabilities();
    assert.ok(caps?.tasks?.requests?.tools?.call, `tasks capability missing: ${JSON.stringify(caps)}`);
    const { tools } = await client.listTools();
    const withTasks = tools.filter((t) => t.execution?.taskSupport === "optional").map((t) => t.name).sort();
    assert.deepEqual(withTasks, ["download_files", "login", "run_task", "run_workflow"]);
  });

  test("run_task as a task: working with rising step counts, then the run as the result", async () => {
    const stream = client.experimental.tasks.callToolStream(
      { name: "run_task", arguments: { prompt: "find the price of the first product" } },
      CallToolResultSchema,
      { task: { ttl: 120000 } },
    );
    let taskId;
    const steps = [];
    let runId;
    let result;
    for await (const msg of stream) {
      if (msg.type === "taskCreated") {
        taskId = msg.task.taskId;
        assert.equal(msg.task.status, "working");
      } else if (msg.type === "taskStatus") {
        const m = STATUS_RE.exec(msg.task.statusMessage ?? "");
        if (msg.task.status === "working" && m) {
          runId = m[1];
          steps.push(Number(m[3]));
        }
      } else if (msg.type === "result") {
        result = msg.result;
      } else if (msg.type === "error") {
        assert.fail(`task failed: ${msg.error}\n${logs()}`);
      }
    }
    assert.ok(taskId, "no task created");
    assert.ok(runId, "no run ID in the status messages");
    assert.ok(steps.length >= 2, `too few working statuses: ${steps}`);
    for (let i = 1; i < steps.length; i++) assert.ok(steps[i] >= steps[i - 1], `steps went down: ${steps}`);
    assert.ok(steps.at(-1) > steps[0], `steps did not rise: ${steps}`);
    assert.ok(result, "no result");
    assert.equal(result.isError ?? false, false);
    assert.equal(result.structuredContent.run_id, runId);
    assert.equal(result.structuredContent.status, "completed");
    assert.ok(result.content.some((c) => c.type === "resource_link" && c.uri === `skyvern://runs/${runId}`));

    // tasks/get and tasks/result still answer after the end.
    const task = await client.experimental.tasks.getTask(taskId);
    assert.equal(task.status, "completed");
  });

  test("tasks/cancel cancels the Skyvern run", async () => {
    const stream = client.experimental.tasks.callToolStream(
      { name: "run_task", arguments: { prompt: "a long task" } },
      CallToolResultSchema,
      { task: { ttl: 120000 } },
    );
    let taskId;
    let runId;
    let cancelled;
    let sawError;
    for await (const msg of stream) {
      if (msg.type === "taskCreated") taskId = msg.task.taskId;
      if (msg.type === "taskStatus") {
        const m = STATUS_RE.exec(msg.task.statusMessage ?? "");
        if (m && !cancelled) {
          runId = m[1];
          cancelled = await client.experimental.tasks.cancelTask(taskId);
        }
      }
      if (msg.type === "error") sawError = msg.error;
      if (msg.type === "result") assert.fail("a cancelled task has no result");
    }
    assert.ok(runId, `no run ID seen\n${logs()}`);
    assert.equal(cancelled.status, "cancelled");
    assert.ok(sawError, "the stream should end with the cancellation");
    const task = await client.experimental.tasks.getTask(taskId);
    assert.equal(task.status, "cancelled");
    const run = await client.callTool({ name: "get_run", arguments: { run_id: runId } });
    assert.equal(run.structuredContent.status, "canceled");
  });
});
