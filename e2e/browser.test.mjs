// End-to-end tests of the browser toolset with the official MCP TypeScript SDK client, on a real
// Chromium that `--sandbox` starts for each browser session, driving local test pages: a form, a
// multi-step flow, a page that opens a tab, an iframe and a slow page.
// Needs Chromium (Debian package chromium): outside CI the tests skip, saying so; in CI they fail.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { inflateSync } from "node:zlib";

import { connectStdio, startServer, connectHTTP, cleanEnv, textOf, PNG_SIGNATURE } from "./lib/harness.mjs";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-headless-shell", "/usr/lib/chromium/chromium-headless-shell",
  "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => existsSync(p));
const skip = !CHROMIUM && !process.env.CI
  ? "SKIPPED: no Chromium found: install the Debian package chromium (apt-get install -y --no-install-recommends chromium)"
  : false;
if (skip) console.log(`# browser.test.mjs ${skip}`);

// The local site. /slow answers after 30 s; slowAborted resolves when the browser drops that request.
let site;
let slowAborted;
let onSlowAborted;
function startSite() {
  slowAborted = new Promise((res) => { onSlowAborted = res; });
  const page = (title, body) => `<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`;
  const srv = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const send = (html) => { res.writeHead(200, { "content-type": "text/html" }); res.end(html); };
    switch (url.pathname) {
      case "/form":
        return send(page("Form", `<h1>Sign up</h1><form action="/done"><label>Name <input name="name"></label>
          <label>Plan <select name="plan"><option value="free">Free</option><option value="pro">Pro</option></select></label>
          <button type="submit">Send</button></form>`));
      case "/done":
        return send(page("Done", `<h1>Welcome</h1><p id="result">Thanks, ${url.searchParams.get("name")}</p><p>Plan: ${url.searchParams.get("plan")}</p>`));
      case "/step1":
        return send(page("Step 1", `<a href="/step2">Next step</a>`));
      case "/step2":
        return send(page("Step 2", `<button onclick="document.body.insertAdjacentHTML('beforeend','<p>Finished all steps</p>')">Finish</button>`));
      case "/newtab":
        return send(page("Opener", `<a href="/child" target="_blank">Open child</a>`));
      case "/child":
        return send(page("Child", `<p>child page</p>`));
      case "/iframe":
        return send(page("Outer", `<p>outer</p><iframe src="/inner" title="inner frame" width="400" height="200"></iframe>`));
      case "/inner":
        return send(page("Inner", `<button onclick="this.textContent='clicked inside'">Inner button</button>`));
      case "/slow": {
        const timer = setTimeout(() => send(page("Slow", "finally")), 30_000);
        req.on("close", () => { clearTimeout(timer); if (!res.writableEnded) onSlowAborted(); });
        return;
      }
    }
    res.writeHead(404).end();
  });
  return new Promise((res) => srv.listen(0, "127.0.0.1", () => res(srv)));
}

/** Calls a tool and asserts it succeeded; returns its structuredContent and the result. */
async function ok(client, name, args, opts) {
  const res = await client.callTool({ name, arguments: args }, undefined, opts);
  assert.ok(!res.isError, `${name}: ${textOf(res)}`);
  return [res.structuredContent, res];
}

/** Checks a PNG: signature, IHDR size, and that its pixel data inflates to the right size and is not one flat colour. */
function checkPNG(buf, width, height) {
  assert.deepEqual(buf.subarray(0, 8), PNG_SIGNATURE);
  assert.equal(buf.readUInt32BE(16), width);
  assert.equal(buf.readUInt32BE(20), height);
  const colorType = buf[25];
  const channels = { 2: 3, 6: 4 }[colorType];
  assert.ok(channels, `colour type ${colorType}`);
  const idat = [];
  for (let off = 8; off < buf.length;) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString("ascii", off + 4, off + 8);
    if (type === "IDAT") idat.push(buf.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  assert.equal(raw.length, height * (1 + width * channels), "pixel data size");
  const first = raw.subarray(1, 1 + channels);
  let differs = 0;
  for (let y = 0; y < height; y += 7) {
    const row = y * (1 + width * channels) + 1;
    for (let x = 0; x < width; x += 5) {
      if (raw[row] === 0 && !raw.subarray(row + x * channels, row + (x + 1) * channels).equals(first)) differs++;
    }
  }
  assert.ok(differs > 0, "the screenshot is not one flat colour (the page's text is drawn)");
}

describe("browser toolset on real Chromium through the official MCP TypeScript SDK client", { skip }, () => {
  before(async () => { site = await startSite(); });
  after(() => site?.close());
  const url = (p) => `http://127.0.0.1:${site.address().port}${p}`;

  test("--sandbox: create a session, navigate, snapshot, type, submit, read, screenshot, extract, evaluate, tabs, iframe, close", async () => {
    const { client, logs } = await connectStdio(["--sandbox", "--toolsets", "browser_sessions,browser"]);
    try {
      const [sess] = await ok(client, "create_browser_session", {});
      const id = sess.browser_session_id;
      assert.match(sess.browser_address, /^http:\/\/127\.0\.0\.1:\d+\/cdp\/pbs_/);
      const s = (args) => ({ browser_session_id: id, ...args });

      let [page] = await ok(client, "browser_navigate", s({ url: url("/form") }));
      assert.equal(page.title, "Form");
      const [snap] = await ok(client, "browser_snapshot", s({}));
      assert.match(snap.snapshot, /- heading "Sign up" \[level=1\]/);
      const nameRef = /- textbox "Name" \[ref=(e\d+)\]/.exec(snap.snapshot)?.[1];
      const sendRef = /- button "Send" \[ref=(e\d+)\]/.exec(snap.snapshot)?.[1];
      assert.ok(nameRef && sendRef, snap.snapshot);
      await ok(client, "browser_type", s({ ref: nameRef, text: "Ada Lovelace" }));
      await ok(client, "browser_select_option", s({ selector: "select", values: ["Pro"] }));
      [page] = await ok(client, "browser_click", s({ ref: sendRef }));
      assert.equal(page.title, "Done");
      const [done] = await ok(client, "browser_snapshot", s({}));
      assert.match(done.snapshot, /Thanks, Ada Lovelace/);

      const [shot, shotRes] = await ok(client, "browser_screenshot", s({}));
      const img = shotRes.content.find((c) => c.type === "image");
      assert.equal(img.mimeType, "image/png");
      const png = Buffer.from(img.data, "base64");
      assert.equal(png.length, shot.size_bytes);
      const [vp] = await ok(client, "browser_evaluate", s({ expression: "[innerWidth, innerHeight]" }));
      assert.equal(vp.result[0], 1280);
      assert.deepEqual([shot.width, shot.height], vp.result, "the image is the viewport");
      checkPNG(png, shot.width, shot.height);

      const [ex] = await ok(client, "browser_extract", s({ prompt: "the greeting and plan",
        schema: { type: "object", properties: { result: { type: "string" }, plan: { type: "string" } } } }));
      assert.deepEqual(ex.result, { result: "Thanks, Ada Lovelace", plan: "pro" });
      assert.match(ex.workflow_run_id, /^wr_/);
      const [ev] = await ok(client, "browser_evaluate", s({ expression: "document.querySelectorAll('p').length" }));
      assert.equal(ev.result, 2);

      // Multi-step: a link, then a button that changes the page.
      await ok(client, "browser_navigate", s({ url: url("/step1") }));
      [page] = await ok(client, "browser_click", s({ selector: "a" }));
      assert.equal(page.title, "Step 2");
      await ok(client, "browser_click", s({ selector: "button" }));
      await ok(client, "browser_wait_for", s({ text: "Finished all steps" }));

      // A page that opens a tab.
      await ok(client, "browser_navigate", s({ url: url("/newtab") }));
      await ok(client, "browser_click", s({ selector: "a" }));
      let [tabs] = await ok(client, "browser_tabs", s({ action: "list" }));
      assert.equal(tabs.tabs.length, 2);
      const child = tabs.tabs.find((t) => !t.current);
      [tabs] = await ok(client, "browser_tabs", s({ action: "switch", tab_id: child.id }));
      await ok(client, "browser_wait_for", s({ text: "child page" }));
      [tabs] = await ok(client, "browser_tabs", s({ action: "close", tab_id: child.id }));
      assert.equal(tabs.tabs.length, 1);

      // An iframe: its elements are in the snapshot and take clicks.
      await ok(client, "browser_navigate", s({ url: url("/iframe") }));
      const [framed] = await ok(client, "browser_snapshot", s({}));
      const innerRef = /- button "Inner button" \[ref=(e\d+)\]/.exec(framed.snapshot)?.[1];
      assert.ok(innerRef, framed.snapshot);
      await ok(client, "browser_click", s({ ref: innerRef }));
      await ok(client, "browser_wait_for", s({ text: "clicked inside" }));

      await ok(client, "close_browser_session", { browser_session_id: id });
      const gone = await client.callTool({ name: "browser_snapshot", arguments: s({}) });
      assert.ok(gone.isError);
      assert.match(textOf(gone), /not running/);
    } finally {
      await client.close();
    }
    assert.doesNotMatch(logs(), /panic/);
  });

  test("the CDP proxy refuses a missing or wrong key, and a caller cannot reach another caller's session", async () => {
    const srv = await startServer(["--sandbox", "--transport", "http", "--addr", "127.0.0.1:0", "--toolsets", "browser_sessions,browser"]);
    const alice = await connectHTTP(srv.baseURL, "http", { headers: { "x-api-key": "alice-key-0123456789" } });
    const bob = await connectHTTP(srv.baseURL, "http", { headers: { "x-api-key": "bob-key-0123456789" } });
    try {
      const [sess] = await ok(alice, "create_browser_session", {});
      const version = (headers) => fetch(`${sess.browser_address}/json/version`, { headers });
      assert.equal((await version({})).status, 403);
      assert.equal((await version({ "x-api-key": "wrong" })).status, 403);
      assert.equal((await version({ "x-api-key": "bob-key-0123456789" })).status, 403);
      const good = await version({ "x-api-key": "alice-key-0123456789" });
      assert.equal(good.status, 200);
      assert.match((await good.json()).webSocketDebuggerUrl, /^ws:\/\/127\.0\.0\.1:\d+\/cdp\/pbs_\w+\/devtools\/browser\//);

      await ok(alice, "browser_navigate", { browser_session_id: sess.browser_session_id, url: url("/form") });
      const res = await bob.callTool({ name: "browser_snapshot", arguments: { browser_session_id: sess.browser_session_id } });
      assert.ok(res.isError);
      assert.match(textOf(res), /404/);
      assert.doesNotMatch(textOf(res), /Sign up/);
      await ok(alice, "close_browser_session", { browser_session_id: sess.browser_session_id });
    } finally {
      await alice.close();
      await bob.close();
      await srv.stop();
    }
  });

  test("a cancelled call stops the browser action: the slow page stops loading", async () => {
    const { client } = await connectStdio(["--sandbox", "--toolsets", "browser_sessions,browser"]);
    try {
      const [sess] = await ok(client, "create_browser_session", {});
      const s = (args) => ({ browser_session_id: sess.browser_session_id, ...args });
      await ok(client, "browser_navigate", s({ url: url("/form") }));
      const ac = new AbortController();
      const call = client.callTool({ name: "browser_navigate", arguments: s({ url: url("/slow"), timeout: 60 }) }, undefined, { signal: ac.signal });
      setTimeout(() => ac.abort("user cancelled"), 700);
      await assert.rejects(call);
      // The browser itself drops the request (the server stopped loading), long before the page's 30 s.
      await Promise.race([slowAborted, new Promise((_, rej) => setTimeout(() => rej(new Error("the browser kept loading /slow")), 10_000))]);
      const [ev] = await ok(client, "browser_evaluate", s({ expression: "location.pathname" }));
      assert.equal(ev.result, "/form");
      await ok(client, "close_browser_session", { browser_session_id: sess.browser_session_id });
    } finally {
      await client.close();
    }
  });
});
