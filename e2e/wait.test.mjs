// wait_for_completion without a timeout, through the official MCP TypeScript SDK client with its DEFAULT
// request options: a 60 s timeout, and resetTimeoutOnProgress off (as in Claude Desktop and Cursor). A
// sandbox run that lasts an hour never finishes during the call; the call must still come back before the
// client's 60 s cut, as a result (not an error) whose text carries the run ID, so the user never retries
// and starts a second billed run.
//
// Two servers run side by side: one with --wait-timeout 3 (fast), one with the real default (45 s: the
// strongest proof, costing 45 s of wall time, in parallel with the first). Run from e2e/ after `make build`.
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";

import { connectStdio, textOf } from "./lib/harness.mjs";

const FINAL = new Set(["completed", "failed", "terminated", "canceled", "timed_out"]);

/** Calls run_task with wait_for_completion and no timeout; returns the result, the seconds it took and the
 * progress notifications with their arrival times. No request options besides onprogress. */
async function waitWithoutTimeout(client) {
  const received = [];
  const start = Date.now();
  const result = await client.callTool(
    { name: "run_task", arguments: { prompt: "A task that never ends in the sandbox", wait_for_completion: true } },
    undefined,
    { onprogress: (p) => received.push({ at: Date.now(), ...p }) },
  );
  return { result, seconds: (Date.now() - start) / 1000, received, start };
}

function checkStillGoing({ result, received, start }, logs) {
  assert.notEqual(result.isError, true, `run_task failed: ${textOf(result)}\n${logs()}`);
  const sc = result.structuredContent; // validated against run_task's outputSchema by the SDK
  assert.ok(sc?.run_id?.startsWith("tsk_"), JSON.stringify(sc));
  assert.ok(!FINAL.has(sc.status), `the run is still going: ${sc.status}`);
  const text = textOf(result);
  assert.ok(text.includes(sc.run_id), `the text names the run: ${text}`);
  assert.match(sc.message, /goes on/);
  assert.match(sc.message, /get_run/);
  assert.ok(sc.message.includes(`skyvern://runs/${sc.run_id}`), sc.message);

  // Progress: strictly increasing, naming the run, its status, its step count and the seconds waited.
  assert.ok(received.length >= 1, "no progress notification");
  for (let i = 1; i < received.length; i++) assert.ok(received[i].progress > received[i - 1].progress);
  for (const p of received) assert.match(p.message, new RegExp(`^${sc.run_id}: \\w+, step \\d+, \\d+ s waited$`));
  const times = [start, ...received.map((p) => p.at)];
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  return { runId: sc.run_id, gap };
}

describe("wait_for_completion without timeout fits under the TypeScript SDK's default 60 s", { concurrency: 2 }, () => {
  const clients = [];
  after(async () => {
    for (const c of clients) await c.close();
  });

  test("--wait-timeout 3: the run still going, with its ID, after about 3 s", { timeout: 60_000 }, async () => {
    const { client, logs } = await connectStdio(["--sandbox", "--sandbox-run-seconds", "3600", "--wait-timeout", "3"]);
    clients.push(client);
    const got = await waitWithoutTimeout(client);
    const { runId } = checkStillGoing(got, logs);
    assert.ok(got.seconds >= 2.5 && got.seconds < 20, `took ${got.seconds} s`);
    // The run goes on and can be followed.
    const run = await client.callTool({ name: "get_run", arguments: { run_id: runId } });
    assert.ok(!FINAL.has(run.structuredContent.status));
  });

  test("the real default (45 s): a result before the client's 60 s cut, progress at least every 10 s", { timeout: 90_000 }, async () => {
    const { client, logs } = await connectStdio(["--sandbox", "--sandbox-run-seconds", "3600"]);
    clients.push(client);
    const got = await waitWithoutTimeout(client);
    const { gap } = checkStillGoing(got, logs);
    assert.ok(got.seconds >= 44 && got.seconds < 60, `took ${got.seconds} s`);
    assert.ok(gap <= 10_000, `longest gap between progress notifications: ${gap} ms`);
    console.log(`default wait: result after ${got.seconds.toFixed(1)} s, ${got.received.length} progress notifications, longest gap ${gap} ms`);
  });
});
