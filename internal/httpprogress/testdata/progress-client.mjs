// Calls the "progress" tool CALLS times through the official MCP TypeScript
// SDK client over streamable HTTP (which opens the standalone GET stream)
// and prints how many calls received all PER_CALL progress notifications
// before their result, as JSON. Run by httpprogress's Go test:
//   NODE_MODULES=<dir> node progress-client.mjs <url> <calls> <perCall>
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const sdk = (p) => import(pathToFileURL(join(process.env.NODE_MODULES, "@modelcontextprotocol/sdk/dist/esm", p)).href);
const { Client } = await sdk("client/index.js");
const { StreamableHTTPClientTransport } = await sdk("client/streamableHttp.js");

const [url, calls, perCall] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const client = new Client({ name: "httpprogress", version: "1" });
const errors = [];
client.onerror = (err) => errors.push(String(err?.message ?? err));
const transport = new StreamableHTTPClientTransport(new URL(url));
await client.connect(transport);

let complete = 0;
for (let i = 0; i < calls; i++) {
  let received = 0;
  const res = await client.callTool({ name: "progress", arguments: {} }, undefined, { onprogress: () => received++ });
  if (res.isError || res.content?.[0]?.text !== "done") throw new Error(`unexpected result ${JSON.stringify(res)}`);
  if (received === perCall) complete++;
}
// The SDK reports a progress notification that arrives after its call's
// result as an error; give the last call's a moment to arrive.
await new Promise((r) => setTimeout(r, 100));
const late = errors.filter((e) => e.includes("unknown token")).length;
await client.close();
console.log(JSON.stringify({ protocol: transport.protocolVersion ?? null, complete, calls, late }));
