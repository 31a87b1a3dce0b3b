// End-to-end test of OAuth sign-in (--oauth-issuer, --oauth-audience) with the official MCP TypeScript SDK:
// a local authorization server (node:http, an EC P-256 key generated here, OpenID and RFC 8414 discovery,
// a JWKS and a client_credentials token endpoint that puts the RFC 8707 `resource` it is sent into `aud`)
// and bin/skyvern-mcp --sandbox --transport http. Without a token the server answers 401 with a
// `resource_metadata` pointer; the SDK's own OAuth client (ClientCredentialsProvider) follows it (protected
// resource metadata, authorization server metadata, token) and connects; a read-only client lists only
// read-only tools and is refused run_task with 403 insufficient_scope; a token sent as a plain
// Authorization header works too; no token reaches the logs.
// Run from e2e/ with `node --test --test-name-pattern OAuth oauth.test.mjs` after `make build e2e-deps`.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { generateKeyPairSync, sign } from "node:crypto";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ClientCredentialsProvider } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
import { discoverOAuthProtectedResourceMetadata, extractWWWAuthenticateParams } from "@modelcontextprotocol/sdk/client/auth.js";

import { startServer, textOf } from "./lib/harness.mjs";

const b64url = (v) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

/** A local authorization server. clients: client_id -> { secret, scopes (the most it may get) }. */
async function startIssuer(clients) {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "e2e-key-1", alg: "ES256", use: "sig" };
  const tokens = [];
  const tokenRequests = [];
  let url;
  const sign256 = (claims) => {
    const input = `${b64url({ alg: "ES256", typ: "at+jwt", kid: jwk.kid })}.${b64url(claims)}`;
    return `${input}.${sign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url")}`;
  };
  const issue = (sub, scope, aud) => {
    const now = Math.floor(Date.now() / 1000);
    const t = sign256({ iss: url, sub, aud, scope, iat: now, nbf: now - 5, exp: now + 600 });
    tokens.push(t);
    return t;
  };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    const json = (status, body) => { res.writeHead(status, { "content-type": "application/json" }); res.end(JSON.stringify(body)); };
    if (path === "/.well-known/oauth-authorization-server" || path === "/.well-known/openid-configuration") {
      return json(200, {
        issuer: url, jwks_uri: `${url}/jwks`, token_endpoint: `${url}/token`, authorization_endpoint: `${url}/authorize`,
        response_types_supported: ["code"], grant_types_supported: ["client_credentials"],
        token_endpoint_auth_methods_supported: ["client_secret_basic"], code_challenge_methods_supported: ["S256"],
        id_token_signing_alg_values_supported: ["ES256"], subject_types_supported: ["public"],
      });
    }
    if (path === "/jwks") return json(200, { keys: [jwk] });
    if (path === "/token" && req.method === "POST") {
      let body = "";
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      const [id, secret] = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString().split(":");
      const client = clients[decodeURIComponent(id ?? "")];
      tokenRequests.push({ client: id, resource: form.get("resource"), scope: form.get("scope"), grant: form.get("grant_type") });
      if (!client || client.secret !== decodeURIComponent(secret ?? "") || form.get("grant_type") !== "client_credentials") {
        return json(401, { error: "invalid_client" });
      }
      const asked = (form.get("scope") ?? "").split(" ").filter(Boolean);
      const granted = asked.filter((s) => client.scopes.includes(s)).join(" ");
      return json(200, { access_token: issue(id, granted, form.get("resource") ?? "urn:no-resource"), token_type: "Bearer", expires_in: 600, scope: granted });
    }
    json(404, { error: "not_found" });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${server.address().port}`;
  return { url, tokens, tokenRequests, issue, close: () => new Promise((r) => server.close(r)) };
}

/** A free loopback port: the audience (the server's own URL) must be known before the server starts. */
async function freePort() {
  const s = createNetServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function connect(mcpURL, opts, name) {
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(mcpURL, opts));
  return client;
}

describe("skyvern-mcp --transport http with OAuth sign-in (--oauth-issuer)", () => {
  let issuer;
  let server;
  let mcpURL;
  const clients = [];

  before(async () => {
    issuer = await startIssuer({
      "team-runner": { secret: "runner-secret-e2e", scopes: ["skyvern:read", "skyvern:run"] },
      "team-reader": { secret: "reader-secret-e2e", scopes: ["skyvern:read"] },
    });
    const port = await freePort();
    mcpURL = new URL(`http://127.0.0.1:${port}/mcp`);
    server = await startServer(["--sandbox", "--sandbox-run-seconds", "1", "--log-level", "debug", "--transport", "http", "--shutdown-grace", "1",
      "--addr", `127.0.0.1:${port}`, "--oauth-issuer", issuer.url, "--oauth-audience", mcpURL.href]);
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await server?.stop();
    await issuer?.close();
  });

  test("OAuth: without a token, 401 with resource_metadata, and the metadata names the issuer", async () => {
    const res = await fetch(mcpURL, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }) });
    assert.equal(res.status, 401);
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(res);
    assert.equal(resourceMetadataUrl?.href, `${mcpURL.origin}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(scope, "skyvern:read skyvern:run");

    const meta = await discoverOAuthProtectedResourceMetadata(mcpURL);
    assert.equal(meta.resource, mcpURL.href);
    assert.deepEqual(meta.authorization_servers, [issuer.url]);
    assert.deepEqual(meta.scopes_supported, ["skyvern:read", "skyvern:run"]);

    // The SDK client without credentials is refused.
    await assert.rejects(connect(mcpURL, {}, "no-token"), (err) => /401|Unauthorized/i.test(String(err?.code ?? "") + err.message));
  });

  test("OAuth: the SDK's OAuth client discovers, gets a token for this resource, connects and runs a task", { timeout: 30_000 }, async () => {
    const authProvider = new ClientCredentialsProvider({ clientId: "team-runner", clientSecret: "runner-secret-e2e",
      expectedIssuer: issuer.url, scope: "skyvern:read skyvern:run" });
    const client = await connect(mcpURL, { authProvider }, "runner");
    clients.push(client);
    const req = issuer.tokenRequests.find((r) => r.client === "team-runner");
    assert.equal(req?.resource, mcpURL.href, "the SDK asks for a token for the resource the metadata names (RFC 8707)");

    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    assert.ok(names.includes("run_task") && names.includes("get_run"), names.join(","));
    const started = await client.callTool({ name: "run_task", arguments: { prompt: "Read the page title", url: "https://example.com" } });
    assert.notEqual(started.isError, true, textOf(started));
    assert.match(started.structuredContent?.run_id ?? "", /^tsk_/);
  });

  test("OAuth: a read-only token lists only read-only tools and is refused run_task with 403 insufficient_scope", { timeout: 30_000 }, async () => {
    const authProvider = new ClientCredentialsProvider({ clientId: "team-reader", clientSecret: "reader-secret-e2e",
      expectedIssuer: issuer.url, scope: "skyvern:read skyvern:run" });
    const client = await connect(mcpURL, { authProvider }, "reader");
    clients.push(client);
    const { tools } = await client.listTools();
    assert.ok(tools.length > 0);
    for (const t of tools) assert.equal(t.annotations?.readOnlyHint, true, `${t.name} is listed to a read-only token`);
    assert.ok(!tools.some((t) => t.name === "run_task"));

    // The SDK tries to step up (asks the issuer for more scope, which grants read only), then gives up.
    await assert.rejects(client.callTool({ name: "run_task", arguments: { prompt: "x" } }),
      (err) => err instanceof StreamableHTTPError && err.code === 403);
    const ok = await client.callTool({ name: "get_workflows", arguments: {} });
    assert.notEqual(ok.isError, true, textOf(ok));
  });

  test("OAuth: a token sent as a plain Authorization header works; another resource's token does not", async () => {
    const token = issuer.issue("header-user", "skyvern:read", mcpURL.href);
    const client = await connect(mcpURL, { requestInit: { headers: { Authorization: `Bearer ${token}` } } }, "header");
    clients.push(client);
    assert.ok((await client.listTools()).tools.length > 0);

    const other = issuer.issue("header-user", "skyvern:read skyvern:run", "https://other.example.com/mcp");
    await assert.rejects(connect(mcpURL, { requestInit: { headers: { Authorization: `Bearer ${other}` } } }, "other-aud"),
      (err) => /401|Unauthorized/i.test(String(err?.code ?? "") + err.message));
  });

  test("OAuth: no access token appears in the logs", () => {
    const logs = server.logs();
    assert.ok(issuer.tokens.length >= 4);
    for (const t of issuer.tokens) assert.ok(!logs.includes(t), "a token is in the logs");
    assert.match(logs, /"oauth":true/);
  });
});
