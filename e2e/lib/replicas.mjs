// Helpers of the multi-replica tests: a real redis-server on a free port,
// the standalone Skyvern simulator (bin/skyvern-sandbox) that replicas share
// as their upstream, and a plain round-robin reverse proxy without
// stickiness. Not a test file itself.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
export const SANDBOX_BIN = resolve(process.env.E2E_SKYVERN_SANDBOX_BIN || resolve(HERE, "..", "..", "bin", "skyvern-sandbox"));

/** The path of redis-server, or "" when it is not installed. */
export function redisServerPath() {
  for (const p of [process.env.E2E_REDIS_SERVER, "/usr/bin/redis-server", "/usr/local/bin/redis-server"]) {
    if (p && existsSync(p)) return p;
  }
  const r = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : "";
}

export async function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** Starts redis-server on a free port with a temporary directory and no persistence. */
export async function startRedis(bin) {
  const dir = mkdtempSync(join(tmpdir(), "skyvern-mcp-redis-"));
  const port = await freePort();
  const child = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (c) => { out += c; });
  child.stderr.on("data", (c) => { out += c; });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await canConnect(port)) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`redis-server did not start on port ${port}:\n${out}`);
    }
    await sleep(50);
  }
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.on("exit", r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port) {
  return new Promise((res) => {
    const s = net.connect(port, "127.0.0.1");
    s.on("connect", () => { s.destroy(); res(true); });
    s.on("error", () => res(false));
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts bin/skyvern-sandbox; resolves to { baseURL, stop }. */
export async function startSandbox(runSeconds) {
  if (!existsSync(SANDBOX_BIN)) throw new Error(`${SANDBOX_BIN} does not exist: run \`make build\` first`);
  const child = spawn(SANDBOX_BIN, ["--addr", "127.0.0.1:0", "--run-seconds", String(runSeconds)], { stdio: ["ignore", "ignore", "pipe"] });
  const addr = await new Promise((res, rej) => {
    let buf = "";
    child.stderr.on("data", (c) => {
      buf += c;
      const m = /"addr":"([^"]+)"/.exec(buf);
      if (m) res(m[1]);
    });
    child.on("exit", (code) => rej(new Error(`skyvern-sandbox exited (${code}): ${buf}`)));
  });
  return { baseURL: `http://${addr}`, stop: () => child.kill("SIGTERM") };
}

/**
 * A round-robin reverse proxy without stickiness: each request goes to the next backend, whatever its
 * Mcp-Session-Id. A backend that refuses the connection (it died) is skipped, as a balancer's health check
 * would. It records, per request, the backend and the JSON-RPC method (log).
 */
export async function startProxy(backends) {
  let next = 0;
  const log = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    let method = "";
    try { method = JSON.parse(body.toString()).method ?? ""; } catch { /* not JSON */ }
    const start = next++;
    const tryBackend = (k) => {
      if (k >= backends.length) {
        res.writeHead(502).end("no backend answered");
        return;
      }
      const i = (start + k) % backends.length;
      const b = backends[i];
      if (b.dead) { tryBackend(k + 1); return; }
      const u = new URL(req.url, b.baseURL);
      const up = http.request(u, { method: req.method, headers: { ...req.headers, host: u.host } }, (ur) => {
        log.push({ backend: i, httpMethod: req.method, method, session: req.headers["mcp-session-id"] ?? "", status: ur.statusCode });
        res.writeHead(ur.statusCode, ur.headers);
        ur.pipe(res);
        ur.on("error", () => res.destroy());
        ur.on("aborted", () => res.destroy());
      });
      up.on("error", (err) => {
        // Only a refused connection is retried: the request never reached the backend. A POST that did
        // (a tools/call may start a run) is never sent twice.
        if (!res.headersSent && err.code === "ECONNREFUSED") tryBackend(k + 1);
        else res.destroy();
      });
      req.on("close", () => { if (!res.writableFinished) up.destroy(); });
      up.end(body);
    };
    tryBackend(0);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  return {
    baseURL: `http://127.0.0.1:${port}`,
    log,
    stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}
