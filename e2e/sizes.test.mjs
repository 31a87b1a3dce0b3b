// End-to-end tests of result sizes with the official MCP TypeScript SDK client over stdio (default options):
// a run whose output is about 11 MB comes back as a result the client takes (its stdio reader drops any
// message over 10 MiB, closing the connection), valid against get_run's output schema, with a text that says
// what was cut and where the rest is. The sandbox makes the big output from the task request itself: a
// data_extraction_schema whose array has minItems 11000 of 1,000-character strings.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";

import { connectStdio, textOf } from "./lib/harness.mjs";

function bigSchema(rows) {
  return { type: "object", properties: { rows: { type: "array", minItems: rows, items: { type: "string", minLength: 1000 } } } };
}

async function bigRun(client, rows) {
  const res = await client.callTool({ name: "run_task", arguments: { prompt: "extract a big table", data_extraction_schema: bigSchema(rows), wait_for_completion: true } });
  assert.equal(res.isError ?? false, false, textOf(res));
  return res;
}

describe("result sizes through the official MCP TypeScript SDK client", () => {
  let client;
  let logs;

  before(async () => {
    ({ client, logs } = await connectStdio(["--sandbox", "--sandbox-run-seconds", "0"]));
    await client.listTools(); // the SDK validates structuredContent against the output schemas it has listed
  });

  after(async () => {
    await client?.close();
  });

  test("get_run on a run with an 11 MB output: a valid result within 1 MiB that says what was cut", async () => {
    const started = await bigRun(client, 11000);
    const runId = started.structuredContent.run_id;
    assert.match(runId, /^tsk_/);
    const res = await client.callTool({ name: "get_run", arguments: { run_id: runId } });
    assert.equal(res.isError ?? false, false, textOf(res));
    assert.ok(JSON.stringify(res).length <= 1 << 20, `result of ${JSON.stringify(res).length} bytes`);
    assert.equal(res.structuredContent.run_id, runId);
    assert.equal(res.structuredContent.status, "completed");
    assert.equal(typeof res.structuredContent.output, "string");
    assert.ok(res.structuredContent.output.startsWith('{"rows":["'), res.structuredContent.output.slice(0, 40));
    const text = textOf(res);
    assert.match(text, /over the server's 1048576-byte result limit, so it was shortened/);
    assert.match(text, /output: \d+ of \d+ bytes kept/);
    assert.ok(text.includes(`read the resource skyvern://runs/${runId}/output`), text.slice(0, 600));
    assert.ok(text.length < 40_000, `text of ${text.length} characters`);
    assert.ok(res.content.some((c) => c.type === "resource_link"), "resource links by default");
    // The connection is still usable.
    await client.ping();
  }, { timeout: 120_000 });

  test("the whole output of a shortened result is the skyvern://runs/{run_id}/output resource", async () => {
    const started = await bigRun(client, 2000); // 2 MB: shortened as a result, readable as a resource
    const runId = started.structuredContent.run_id;
    assert.equal(typeof started.structuredContent.output, "string", "run_task's result is shortened too");
    const read = await client.readResource({ uri: `skyvern://runs/${runId}/output` });
    assert.equal(read.contents.length, 1);
    const output = JSON.parse(read.contents[0].text);
    assert.equal(output.rows.length, 2000);
    assert.equal(output.rows[1999].length, 1000);
  }, { timeout: 120_000 });
});

describe("--resource-links=false", () => {
  let client;

  before(async () => {
    ({ client } = await connectStdio(["--sandbox", "--sandbox-run-seconds", "0", "--resource-links=false"]));
  });

  after(async () => {
    await client?.close();
  });

  test("run results carry no resource_link items, and name the run's URIs in text", async () => {
    const res = await client.callTool({ name: "run_task", arguments: { prompt: "x", wait_for_completion: true } });
    assert.equal(res.isError ?? false, false, textOf(res));
    const runId = res.structuredContent.run_id;
    assert.equal(res.content.filter((c) => c.type === "resource_link").length, 0);
    const text = textOf(res);
    assert.ok(text.includes(`Resources: skyvern://runs/${runId} (the run)`), text);
    assert.ok(text.includes(`skyvern://runs/${runId}/recording`), text);
  });
});
