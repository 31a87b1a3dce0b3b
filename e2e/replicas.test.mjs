// Several replicas of bin/skyvern-mcp --transport http sharing state in a real
// redis-server (--redis-url), behind a round-robin reverse proxy without
// stickiness, driven by the official MCP TypeScript SDK client. The same
// suite runs against one replica without Redis (what skyvern-mcp does
// today); the tests that kill a replica or resume a stream need Redis and
// skip there, saying why.
//
// Upstream: the replicas share one Skyvern simulator, bin/skyvern-sandbox,
// given with --base-url. (With --sandbox each replica would simulate its own
// Skyvern, whose runs the others cannot read: a run started through one
// replica must be followable by another, as with the real Skyvern.)
//
// Needs redis-server (Debian package redis-server, installed by .ci/run):
// in CI a missing one fails; elsewhere the Redis suite skips, naming it.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";

import { CallToolResultSchema, CreateTaskResultSchema, ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

import { cleanEnv, connectHTTP, EXPECTED_TOOLS, startServer } from "./lib/harness.mjs";
import { redisServerPath, sleep, startProxy, startRedis, startSandbox } from "./lib/replicas.mjs";

const RUN_SECONDS = 5;
const STATUS_RE = /Skyvern run (\S+) is (\w+), step (\d+)/;
const KEY = "e2e-replicas-key-5d1c";
const PROTOCOL = "2025-11-25";

const redisBin = redisServerPath();
const inCI = !!process.env.CI && process.env.CI !== "false";
if (!redisBin) {
  const msg = "SKIPPED: the multi-replica suite needs redis-server (Debian package redis-server); install it with apt-get install redis-server";
  if (inCI) throw new Error(msg.replace("SKIPPED: ", "") + " (CI installs it in .ci/run)");
  console.warn(msg);
}

function suite(name, { replicas, redis }) {
  const needsRedis = redis && !redisBin;
  describe(name, { skip: needsRedis ? "redis-server is not installed (Debian package redis-server)" : false }, () => {
    let rds;
    let sandbox;
    let proxy;
    const backends = [];
    let client;

    before(async () => {
      sandbox = await startSandbox(RUN_SECONDS);
      if (redis) rds = await startRedis(redisBin);
      for (let i = 0; i < replicas; i++) {
        const args = ["--transport", "http", "--addr", "127.0.0.1:0", "--base-url", sandbox.baseURL, "--log-level", "info", "--shutdown-grace", "1s"];
        if (redis) args.push("--redis-url", rds.url);
        backends.push(await startServer(args, { env: cleanEnv({ SKYVERN_API_KEY: KEY }) }));
      }
      proxy = await startProxy(backends);
      client = await connectHTTP(proxy.baseURL, "http", { name: "skyvern-mcp-e2e-replicas" });
    });

    after(async () => {
      await client?.close().catch(() => {});
      await proxy?.stop();
      await Promise.all(backends.map((b) => b.stop()));
      sandbox?.stop();
      await rds?.stop();
    });

    test("initialize, list and call through the balancer: every replica serves the one session", async () => {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), [...EXPECTED_TOOLS].sort());
      for (let i = 0; i < 2 * replicas; i++) {
        const res = await client.callTool({ name: "get_workflows", arguments: {} });
        assert.equal(res.isError, undefined, JSON.stringify(res));
        assert.ok(Array.isArray(res.structuredContent?.workflows), JSON.stringify(res.structuredContent));
      }
      const session = client.transport.sessionId;
      const served = new Set(proxy.log.filter((l) => l.session === session && l.httpMethod === "POST").map((l) => l.backend));
      assert.equal(served.size, replicas, `replicas that served session ${session}: ${[...served]}`);
    });

    test("a task-augmented run_task polled to completion, its polls on every replica", async () => {
      const stream = client.experimental.tasks.callToolStream(
        { name: "run_task", arguments: { prompt: "find the price of the first product" } },
        CallToolResultSchema,
        { task: { ttl: 120000 } },
      );
      let taskId;
      let result;
      const steps = [];
      for await (const msg of stream) {
        if (msg.type === "taskCreated") taskId = msg.task.taskId;
        else if (msg.type === "taskStatus") {
          const m = STATUS_RE.exec(msg.task.statusMessage ?? "");
          if (m) steps.push(Number(m[3]));
        } else if (msg.type === "result") result = msg.result;
        else if (msg.type === "error") assert.fail(`task error: ${msg.error}`);
      }
      assert.ok(taskId, "no task created");
      assert.equal(result.structuredContent.status, "completed", JSON.stringify(result.structuredContent));
      assert.match(result.structuredContent.run_id, /^tsk_v2_/);
      assert.ok(steps.length > 0, "no working status with a step count");
      const { tasks } = await client.experimental.tasks.listTasks();
      const listed = tasks.find((t) => t.taskId === taskId);
      assert.equal(listed?.status, "completed", JSON.stringify(tasks));
      const polled = new Set(proxy.log.filter((l) => l.method === "tasks/get").map((l) => l.backend));
      assert.equal(polled.size, replicas, `replicas that answered tasks/get: ${[...polled]}`);
    });

    test("a resource subscription gets notifications/resources/updated whichever replica holds the stream", async () => {
      const started = await client.callTool({ name: "run_task", arguments: { prompt: "watch me" } });
      const runId = started.structuredContent.run_id;
      const uri = `skyvern://runs/${runId}`;
      const updates = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { updates.push(n.params.uri); });
      await client.subscribeResource({ uri });
      const deadline = Date.now() + (RUN_SECONDS + 10) * 1000;
      while (updates.length < 2 && Date.now() < deadline) await sleep(100);
      assert.ok(updates.length >= 2, `updates received: ${JSON.stringify(updates)}`);
      assert.ok(updates.every((u) => u === uri), JSON.stringify(updates));
      await client.unsubscribeResource({ uri });
    });

    test("a replica killed mid-task: another takes the task over and it completes", { skip: replicas < 2 || !redis ? "needs two replicas sharing Redis" : false }, async () => {
      const created = await client.request(
        { method: "tools/call", params: { name: "run_task", arguments: { prompt: "survive a replica" }, task: { ttl: 120000 } } },
        CreateTaskResultSchema,
      );
      const taskId = created.task.taskId;
      const call = proxy.log.findLast((l) => l.method === "tools/call");
      // Let the run start and its ID be recorded, then kill the replica running the task.
      let before;
      for (let i = 0; i < 50; i++) {
        before = await client.experimental.tasks.getTask(taskId);
        if (STATUS_RE.test(before.statusMessage ?? "")) break;
        await sleep(100);
      }
      const victim = backends[call.backend];
      victim.dead = true;
      process.kill(victim.pid, "SIGKILL");
      const killedAt = Date.now();
      let movedAt = 0;
      let task;
      for (;;) {
        task = await client.experimental.tasks.getTask(taskId);
        if (!movedAt && task.lastUpdatedAt !== before.lastUpdatedAt && task.statusMessage !== before.statusMessage) movedAt = Date.now();
        if (task.status !== "working" || Date.now() - killedAt > (RUN_SECONDS + 15) * 1000) break;
        await sleep(200);
      }
      assert.equal(task.status, "completed", JSON.stringify(task));
      const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
      assert.equal(result.structuredContent.status, "completed");
      const takers = backends.filter((b) => !b.dead && /taking over a task whose replica went away/.test(b.logs()));
      assert.equal(takers.length, 1, "exactly one replica takes the task over");
      console.log(`# takeover: the task moved again ${movedAt - killedAt} ms after its replica was killed`);
    });

    test("a stream resumed with Last-Event-ID after its replica died", { skip: replicas < 2 || !redis ? "needs two replicas sharing Redis (an EventStore)" : false }, async () => {
      // Raw HTTP here: the point is which replica answers the resuming GET.
      const base = new URL("/mcp", proxy.baseURL);
      const headers = { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": PROTOCOL };
      const init = await fetch(base, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: "raw", version: "1" } } }) });
      const session = init.headers.get("mcp-session-id");
      await init.text();
      assert.ok(session);
      const sh = { ...headers, "mcp-session-id": session };
      await (await fetch(base, { method: "POST", headers: sh, body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) })).text();
      const alive = backends.filter((b) => !b.dead);
      assert.ok(alive.length >= 2, "two replicas left");
      const ctl = new AbortController();
      const call = await fetch(base, {
        method: "POST", headers: sh, signal: ctl.signal,
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "run_task", arguments: { prompt: "resume me", wait_for_completion: true, timeout: 30 }, _meta: { progressToken: "p1" } } }),
      });
      assert.equal(call.headers.get("content-type"), "text/event-stream");
      const served = proxy.log.findLast((l) => l.method === "tools/call" && l.session === session);
      const reader = call.body.getReader();
      let buf = "";
      let firstID = "";
      while (!firstID) {
        const { value, done } = await reader.read();
        assert.ok(!done, "the stream ended before its first event");
        buf += Buffer.from(value).toString();
        const m = /^id: (\S+)$/m.exec(buf);
        if (m) firstID = m[1];
      }
      // More progress is recorded while the client reads nothing; then the replica dies.
      await sleep(2500);
      const victim = backends[served.backend];
      victim.dead = true;
      process.kill(victim.pid, "SIGKILL");
      ctl.abort();
      const resumed = await fetch(base, { method: "GET", headers: { ...sh, "last-event-id": firstID } });
      assert.equal(resumed.status, 200, await resumed.clone().text());
      const text = await resumed.text();
      const ids = [...text.matchAll(/^id: (\S+)$/gm)].map((m) => m[1]);
      const progress = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1])).filter((m) => m.method === "notifications/progress");
      assert.ok(ids.length >= 1 && progress.length >= 1, `replayed after ${firstID}: ${text}`);
      assert.ok(!ids.includes(firstID), "only events after Last-Event-ID");
      assert.ok(progress.every((p) => p.params.progressToken === "p1"));
      const answeredBy = proxy.log.findLast((l) => l.httpMethod === "GET" && l.session === session);
      assert.notEqual(answeredBy.backend, served.backend);
    });

    test("a deleted session is refused by every replica", async () => {
      const other = await connectHTTP(proxy.baseURL, "http", { name: "skyvern-mcp-e2e-deleted" });
      await other.callTool({ name: "get_workflows", arguments: {} });
      const session = other.transport.sessionId;
      await other.transport.terminateSession();
      await other.close();
      for (const b of backends.filter((x) => !x.dead)) {
        const r = await fetch(new URL("/mcp", b.baseURL), {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": session, "mcp-protocol-version": PROTOCOL },
          body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }),
        });
        assert.equal(r.status, 404, `replica ${b.baseURL}: ${await r.text()}`);
      }
    });
  });
}

suite("three replicas sharing Redis behind a round-robin proxy", { replicas: 3, redis: true });
suite("one replica without Redis behind the same proxy", { replicas: 1, redis: false });
