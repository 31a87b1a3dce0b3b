// End-to-end tests of the MCP resources of bin/skyvern-mcp (skyvern:// URIs), over stdio, with the official
// MCP TypeScript SDK client. Run from e2e/ with `node --test` (make test-e2e) after `make build` and `npm ci`.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(process.env.E2E_SKYVERN_MCP_BIN || resolve(HERE, "..", "bin", "skyvern-mcp"));

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);

const TEMPLATES = [
  "skyvern://runs/{run_id}",
  "skyvern://runs/{run_id}/output",
  "skyvern://runs/{run_id}/timeline",
  "skyvern://runs/{run_id}/artifacts",
  "skyvern://runs/{run_id}/recording",
  "skyvern://artifacts/{artifact_id}",
  "skyvern://browser_sessions/{browser_session_id}",
  "skyvern://browser_sessions/{browser_session_id}/recordings/{index}",
  "skyvern://workflows/{workflow_permanent_id}{?version}",
];

function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.toUpperCase().startsWith("SKYVERN_")) env[k] = v;
  }
  return { ...env, ...extra };
}

async function connect(args, env = {}) {
  if (!existsSync(BIN)) throw new Error(`${BIN} does not exist: run \`make build\` first`);
  const transport = new StdioClientTransport({ command: BIN, args, env: cleanEnv(env), stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const client = new Client({ name: "skyvern-mcp-e2e-resources", version: "1.0.0" }, { capabilities: {} });
  await client.connect(transport);
  return { client, logs: () => stderr };
}

async function readOne(client, uri) {
  const res = await client.readResource({ uri });
  assert.equal(res.contents.length, 1, `${uri}: ${res.contents.length} contents`);
  const c = res.contents[0];
  assert.equal(c.uri, uri);
  return c;
}

async function readJSON(client, uri) {
  const c = await readOne(client, uri);
  assert.equal(c.mimeType, "application/json", `${uri}: mimeType ${c.mimeType}`);
  assert.equal(typeof c.text, "string", `${uri}: not text`);
  return JSON.parse(c.text);
}

describe("skyvern:// resources through the official MCP TypeScript SDK client", () => {
  let client;
  let logs;
  let runId;

  before(async () => {
    ({ client, logs } = await connect(["--sandbox", "--sandbox-run-seconds", "1"]));
  });

  after(async () => {
    await client?.close();
  });

  test("capabilities advertise resources with subscribe and listChanged", () => {
    const caps = client.getServerCapabilities();
    assert.equal(caps?.resources?.subscribe, true, JSON.stringify(caps));
    assert.equal(caps?.resources?.listChanged, true, JSON.stringify(caps));
  });

  test("resources/templates/list: every template with name, title, description", async () => {
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate).sort(), [...TEMPLATES].sort());
    for (const t of resourceTemplates) {
      for (const f of ["name", "title", "description"]) assert.ok(t[f], `${t.uriTemplate}: no ${f}`);
      if (t.name !== "artifact") assert.ok(t.mimeType, `${t.uriTemplate}: no mimeType`);
    }
  });

  test("a run started with run_task is listed, linked and readable in every form", { timeout: 45_000 }, async () => {
    const result = await client.callTool({ name: "run_task", arguments: { prompt: "Read the headline", wait_for_completion: true } });
    assert.notEqual(result.isError, true, JSON.stringify(result.content));
    runId = result.structuredContent.run_id;
    const links = result.content.filter((c) => c.type === "resource_link").map((c) => c.uri);
    assert.deepEqual(links, [
      `skyvern://runs/${runId}`, `skyvern://runs/${runId}/artifacts`, `skyvern://runs/${runId}/timeline`, `skyvern://runs/${runId}/recording`,
    ]);

    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    assert.ok(uris.includes("skyvern://runs"), uris.join(" "));
    assert.ok(uris.includes(`skyvern://runs/${runId}`), uris.join(" "));

    const run = await readJSON(client, `skyvern://runs/${runId}`);
    assert.equal(run.status, "completed");
    const tl = await readJSON(client, `skyvern://runs/${runId}/timeline`);
    assert.ok(Array.isArray(tl.timeline) && tl.timeline.length > 0);

    const list = await readJSON(client, `skyvern://runs/${runId}/artifacts`);
    const types = new Set();
    for (const a of list.artifacts) {
      assert.equal(a.uri, `skyvern://artifacts/${a.artifact_id}`);
      const c = await readOne(client, a.uri);
      assert.equal(c.mimeType, a.mime_type, `${a.artifact_type}`);
      types.add(c.mimeType);
      if (c.mimeType === "image/png") {
        assert.ok(Buffer.from(c.blob, "base64").subarray(0, 8).equals(PNG_SIGNATURE), "PNG signature");
      } else if (c.mimeType === "video/webm") {
        assert.ok(Buffer.from(c.blob, "base64").subarray(0, 4).equals(EBML_MAGIC), "EBML magic");
      } else if (c.mimeType === "text/html") {
        assert.match(c.text, /<!DOCTYPE html>/);
      } else if (c.mimeType === "application/json") {
        JSON.parse(c.text);
      } else {
        assert.fail(`unexpected MIME type ${c.mimeType}`);
      }
    }
    assert.deepEqual([...types].sort(), ["application/json", "image/png", "text/html", "video/webm"]);

    const rec = await readOne(client, `skyvern://runs/${runId}/recording`);
    assert.equal(rec.mimeType, "video/webm");
    assert.ok(Buffer.from(rec.blob, "base64").subarray(0, 4).equals(EBML_MAGIC));
  });

  test("browser session, its recording, and a workflow", { timeout: 30_000 }, async () => {
    const created = await client.callTool({ name: "create_browser_session", arguments: {} });
    assert.notEqual(created.isError, true, JSON.stringify(created.content));
    const id = created.structuredContent.browser_session_id;
    const sess = await readJSON(client, `skyvern://browser_sessions/${id}`);
    assert.equal(sess.browser_session_id, id);
    const closed = await client.callTool({ name: "close_browser_session", arguments: { browser_session_id: id } });
    assert.notEqual(closed.isError, true);
    const rec = await readOne(client, `skyvern://browser_sessions/${id}/recordings/0`);
    assert.equal(rec.mimeType, "video/webm");

    const wf = await client.callTool({
      name: "create_workflow",
      arguments: {
        yaml_definition: "title: E2E\nworkflow_definition:\n  parameters: []\n  blocks:\n    - block_type: navigation\n      label: open\n      url: https://example.com\n      navigation_goal: Open the page\n",
      },
    });
    assert.notEqual(wf.isError, true, JSON.stringify(wf.content));
    const wpid = wf.structuredContent.workflow_permanent_id;
    const got = await readJSON(client, `skyvern://workflows/${wpid}`);
    assert.equal(got.title, "E2E");
    const v1 = await readJSON(client, `skyvern://workflows/${wpid}?version=1`);
    assert.equal(v1.version, 1);
  });

  test("completion/complete fills a run_id prefix; prompts are listed and rendered", { timeout: 30_000 }, async () => {
    assert.ok(runId, "needs the run of the earlier test");
    assert.ok(client.getServerCapabilities()?.completions, "completions capability");
    const done = await client.complete({
      ref: { type: "ref/resource", uri: "skyvern://runs/{run_id}" },
      argument: { name: "run_id", value: runId.slice(0, -4) },
    });
    assert.deepEqual(done.completion.values, [runId]);
    const none = await client.complete({ ref: { type: "ref/resource", uri: "skyvern://runs/{run_id}" }, argument: { name: "run_id", value: "wr_nothing" } });
    assert.deepEqual(none.completion.values, []);

    const prompts = await client.listPrompts();
    assert.deepEqual(prompts.prompts.map((p) => p.name).sort(), ["build_workflow", "debug_run", "extract_data"]);
    const ex = await client.getPrompt({ name: "extract_data", arguments: { url: "https://example.com", what: "title, price" } });
    assert.match(ex.messages[0].content.text, /run_task/);
    assert.match(ex.messages[0].content.text, /"price"/);
    const dbg = await client.getPrompt({ name: "debug_run", arguments: { run_id: runId } });
    const embedded = dbg.messages.filter((m) => m.content.type === "resource").map((m) => m.content.resource);
    assert.ok(embedded.some((r) => r.uri === `skyvern://runs/${runId}` && r.mimeType === "application/json"));
    const shot = embedded.find((r) => r.mimeType === "image/png");
    assert.ok(shot, "debug_run embeds the last screenshot");
    assert.ok(Buffer.from(shot.blob, "base64").subarray(0, 8).equals(PNG_SIGNATURE));
    const wf = await client.getPrompt({ name: "build_workflow", arguments: { goal: "download invoices" } });
    assert.match(wf.messages[0].content.text, /create_workflow/);
  });

  test("malformed URIs and IDs get a clear error", async () => {
    await assert.rejects(client.readResource({ uri: "skyvern://runs/run_123" }), /not a Skyvern run ID/);
    await assert.rejects(client.readResource({ uri: "skyvern://artifacts/../../etc" }));
    await assert.rejects(client.readResource({ uri: "skyvern://workflows/wpid_1?version=x" }), /version/);
  });
});

describe("resources/subscribe on a running sandbox run", () => {
  let client;
  let logs;

  before(async () => {
    ({ client, logs } = await connect(["--sandbox", "--sandbox-run-seconds", "6"]));
  });

  after(async () => {
    await client?.close();
  });

  test("sends notifications/resources/updated as the run progresses, at least twice before it completes", { timeout: 30_000 }, async () => {
    const started = await client.callTool({ name: "run_task", arguments: { prompt: "Take a while" } });
    assert.notEqual(started.isError, true, JSON.stringify(started.content));
    const runId = started.structuredContent.run_id;
    const uri = `skyvern://runs/${runId}`;
    const updates = [];
    let resolveDone;
    const done = new Promise((r) => { resolveDone = r; });
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, async (n) => {
      if (n.params.uri !== uri) return;
      const i = updates.push("?") - 1;
      const run = JSON.parse((await client.readResource({ uri })).contents[0].text);
      updates[i] = run.status;
      if (run.status === "completed") resolveDone();
    });
    await client.subscribeResource({ uri });
    let timer;
    const timeout = new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`no final update; got ${updates}\n${logs()}`)), 25_000); });
    try {
      await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer); // a pending timer would keep node alive for 25 s after the test
    }
    const beforeFinal = updates.slice(0, -1);
    assert.ok(beforeFinal.length >= 2, `updates before completion: ${JSON.stringify(updates)}`);
    assert.equal(updates.at(-1), "completed");
    await client.unsubscribeResource({ uri });
  });
});
