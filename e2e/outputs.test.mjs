// Results every MCP client can take: with the official TypeScript SDK client and its default options,
// callTool validates structuredContent against the tool's outputSchema (cached by tools/list) and throws
// on a mismatch. Skyvern returns a number or a boolean as a run's output when the extraction schema asks
// for one (the sandbox does the same); get_run on such runs must succeed. Also: null for an optional
// argument means "not given", and a malformed data_extraction_schema is a tool error that starts no run.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";

import { connectStdio, textOf } from "./lib/harness.mjs";

describe("run outputs of every JSON type through the official TypeScript SDK client", () => {
  const ctx = {};

  before(async () => {
    Object.assign(ctx, await connectStdio(["--sandbox", "--sandbox-run-seconds", "1"]));
    // tools/list caches the output schemas callTool validates against.
    await ctx.client.listTools();
  });

  after(async () => {
    await ctx.client?.close();
  });

  for (const [kind, schema, check] of [
    ["number", { type: "number" }, (v) => typeof v === "number"],
    ["boolean", { type: "boolean" }, (v) => typeof v === "boolean"],
    ["string", { type: "string" }, (v) => typeof v === "string"],
    ["array", { type: "array", items: { type: "integer" } }, (v) => Array.isArray(v)],
  ]) {
    test(`get_run on a run whose output is ${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}`, { timeout: 30_000 }, async () => {
      const started = await ctx.client.callTool(
        { name: "run_task", arguments: { prompt: `Extract a ${kind}`, data_extraction_schema: schema, wait_for_completion: true, timeout: 20 } },
        undefined,
        { timeout: 25_000 },
      );
      assert.notEqual(started.isError, true, textOf(started));
      assert.equal(started.structuredContent.status, "completed", JSON.stringify(started.structuredContent));
      assert.ok(check(started.structuredContent.output), `run_task output: ${JSON.stringify(started.structuredContent.output)}`);

      const got = await ctx.client.callTool({ name: "get_run", arguments: { run_id: started.structuredContent.run_id } });
      assert.notEqual(got.isError, true, textOf(got));
      assert.ok(check(got.structuredContent.output), `get_run output: ${JSON.stringify(got.structuredContent.output)}`);
    });
  }

  test("null for optional arguments means not given", { timeout: 20_000 }, async () => {
    const res = await ctx.client.callTool({
      name: "run_task",
      arguments: { prompt: "Find the price", max_steps: null, url: null, engine: null, data_extraction_schema: null, wait_for_completion: null },
    });
    assert.notEqual(res.isError, true, textOf(res));
    assert.equal(res.structuredContent.run_request.engine, "skyvern-2.0");

    const bad = await ctx.client.callTool({ name: "get_run", arguments: { run_id: null } });
    assert.equal(bad.isError, true);
    assert.match(textOf(bad), /run_id: required, got null/);
  });

  test("a malformed data_extraction_schema is a tool error naming the field", { timeout: 20_000 }, async () => {
    for (const schema of ['{"type": "object", "properties": {', { type: "objekt" }]) {
      const res = await ctx.client.callTool({ name: "run_task", arguments: { prompt: "Extract it", data_extraction_schema: schema } });
      assert.equal(res.isError, true, `accepted: ${JSON.stringify(schema)}`);
      assert.match(textOf(res), /data_extraction_schema/);
    }
  });
});
