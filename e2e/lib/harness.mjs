// Shared helpers of the end-to-end tests: where the binary is, a clean
// environment, starting bin/skyvern-mcp over stdio or HTTP, and small result
// helpers. Not a test file itself (node --test only picks up *.test.mjs here).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";

const HERE = dirname(fileURLToPath(import.meta.url));
// E2E_SKYVERN_MCP_BIN runs the tests against another build of the server.
export const BIN = resolve(process.env.E2E_SKYVERN_MCP_BIN || resolve(HERE, "..", "..", "bin", "skyvern-mcp"));

// The default tool set: the SDK reference's 30 operations plus run listings, workflow run
// retries/moves and updates of the same toolsets (40; Cursor shows at most 40).
export const EXPECTED_TOOLS = [
  "run_task", "get_run", "cancel_run", "get_run_timeline", "get_run_artifacts", "get_artifact",
  "retry_run_webhook", "run_workflow", "create_workflow", "get_workflows", "get_workflow",
  "get_workflow_versions", "update_workflow", "delete_workflow", "create_browser_session",
  "get_browser_session", "get_browser_sessions", "close_browser_session", "create_browser_profile",
  "list_browser_profiles", "get_browser_profile", "delete_browser_profile", "create_credential",
  "get_credentials", "get_credential", "delete_credential", "send_totp_code", "login",
  "download_files", "upload_file",
  "bulk_cancel_runs", "get_runs_v2", "get_workflow_runs", "get_workflow_runs_by_id", "retry_workflow_run",
  "update_workflow_folder", "reset_workflow_browser_profile", "update_browser_session", "update_browser_profile",
  "update_credential",
];

export const RUN_STATUSES = ["created", "queued", "running", "paused", "completed", "failed", "terminated", "canceled", "timed_out"];

export const EXTRACTION_SCHEMA = {
  type: "object",
  properties: { title: { type: "string" }, price: { type: "number" } },
  required: ["title", "price"],
};

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** process.env without any SKYVERN_* variable (SKYVERN_API_KEY, SKYVERN_API_KEY_FILE, SKYVERN_SANDBOX, ...)
 * nor MCP_AUTH_TOKEN, so the developer's own settings cannot change what the server does. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    const K = k.toUpperCase();
    if (v !== undefined && !K.startsWith("SKYVERN_") && K !== "MCP_AUTH_TOKEN") env[k] = v;
  }
  return { ...env, ...extra };
}

export function requireBinary() {
  if (!existsSync(BIN)) throw new Error(`${BIN} does not exist: run \`make build\` first`);
}

/** The concatenated text of a tool result's text content items. */
export function textOf(result) {
  return (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

function newClient(name) {
  return new Client({ name, version: "1.0.0" }, { capabilities: {} });
}

/** Starts the server with the SDK's stdio transport and returns a connected client plus its stderr tail. */
export async function connectStdio(args, { cwd, env, name = "skyvern-mcp-e2e" } = {}) {
  requireBinary();
  const transport = new StdioClientTransport({ command: BIN, args, env: env ?? cleanEnv(), cwd, stderr: "pipe" });
  let stderr = "";
  // Drain the server's logs so a full pipe can never block it; keep the tail for failure messages.
  transport.stderr?.on("data", (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const client = newClient(name);
  await client.connect(transport);
  return { client, logs: () => stderr };
}

/**
 * Starts bin/skyvern-mcp with args (which should include --transport and --addr 127.0.0.1:0) and waits for
 * its JSON log line {"message":"listening","addr":"host:port"} on stderr.
 * Returns { baseURL, addr, logs(), stop() }: logs() is the whole stderr so far (for canary checks), stop()
 * sends SIGTERM and resolves to { code, signal } once the process has exited (SIGKILL after killAfterMs).
 */
export async function startServer(args, { env, startTimeoutMs = 15_000, killAfterMs = 15_000 } = {}) {
  requireBinary();
  const child = spawn(BIN, args, { env: env ?? cleanEnv(), stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  let pending = "";
  let onListening;
  let onFailure;
  const listening = new Promise((res, rej) => { onListening = res; onFailure = rej; });
  const exited = new Promise((res) => child.on("exit", (code, signal) => res({ code, signal })));
  child.on("error", (err) => onFailure(err));
  exited.then(({ code, signal }) => onFailure(new Error(`server exited (code ${code}, signal ${signal}) before listening:\n${stderr}`)));
  child.stderr.on("data", (chunk) => {
    const s = chunk.toString();
    stderr += s;
    pending += s;
    let nl;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let rec;
      try { rec = JSON.parse(line); } catch { continue; }
      if (rec?.message === "listening" && typeof rec.addr === "string") onListening(rec.addr);
    }
  });
  let timer;
  const timeout = new Promise((_, rej) => {
    timer = setTimeout(() => rej(new Error(`no "listening" log line within ${startTimeoutMs} ms:\n${stderr}`)), startTimeoutMs);
  });
  let addr;
  try {
    addr = await Promise.race([listening, timeout]);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  } finally {
    clearTimeout(timer);
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    let killer;
    const result = await Promise.race([
      exited,
      new Promise((res) => { killer = setTimeout(() => { child.kill("SIGKILL"); res({ code: null, signal: "timeout" }); }, killAfterMs); }),
    ]);
    clearTimeout(killer);
    return result;
  };
  return { baseURL: `http://${addr}`, addr, pid: child.pid, logs: () => stderr, stop };
}

/**
 * Connects an SDK client to a running HTTP server. kind is "http" (streamable HTTP at /mcp) or "sse"
 * (/sse and /message). headers are sent with every request (for example x-api-key).
 */
export async function connectHTTP(baseURL, kind, { headers = {}, name = "skyvern-mcp-e2e" } = {}) {
  const requestInit = { headers };
  const transport = kind === "sse"
    ? new SSEClientTransport(new URL("/sse", baseURL), { requestInit })
    : new StreamableHTTPClientTransport(new URL("/mcp", baseURL), { requestInit });
  const client = newClient(name);
  await client.connect(transport);
  return client;
}
