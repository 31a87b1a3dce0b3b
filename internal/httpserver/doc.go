// Package httpserver serves an mcp-go MCPServer over HTTP: streamable HTTP
// at /mcp (sessions by default, or stateless) or the older HTTP+SSE
// transport at /sse and /message, plus GET /healthz and GET /readyz.
//
// Every MCP request goes through this package's middleware before mcp-go
// sees it, in this order:
//
//  1. Origin: a request without Origin, or with a loopback origin
//     (http://localhost:*, http://127.0.0.1:*, http://[::1]:*), passes;
//     any other origin must be listed in Options.AllowedOrigins, else 403.
//     Listed origins also get CORS headers (nothing else does).
//  2. Authentication: with Options.AuthToken, "Authorization: Bearer
//     <token>" (compared in constant time), else 401 with WWW-Authenticate.
//     Or, with Options.OAuth, an OAuth access token (a JWT from the
//     issuer, for the audience; see oauth.go): 401 with resource_metadata
//     without a valid one, 403 insufficient_scope for a scope too small
//     (tools/call of a tool that is not read-only is checked once the body
//     is read). The token's subject is the caller.
//  3. Caller key: with KeysRequired every request carries its own Skyvern
//     key in x-api-key (401 without one); with KeysOptional a key is used
//     when present. The key travels in the request context (CallerKey) to
//     the tools, never into logs.
//  4. Body: at most Options.MaxBodyBytes (413 beyond), read within 30 s.
//  5. Sessions (streamable HTTP, session mode): a request other than
//     initialize without Mcp-Session-Id gets 400; an unknown, expired or
//     terminated one gets 404. A session belongs to the caller key that
//     opened it: another key gets 404 too. SSE sessions (/message?sessionId=)
//     are checked the same way.
//  6. Admission (initialize, GET /sse): with Options.CheckKey the caller's
//     own key is checked with Skyvern first (401 if refused; cached). One
//     caller (its key, else its IP address) holds at most
//     Options.MaxSessionsPerCaller sessions (429 with Retry-After beyond);
//     a full table (Options.MaxSessions) ends the longest idle session, or
//     answers 503 with Retry-After. See admission.go.
//
// mcp-go itself rejects a Host that is not loopback on a loopback
// connection (DNS rebinding) and checks the protocol version.
//
// A non-loopback listen address is refused unless a bearer token is set or
// every caller must bring its own key (KeysRequired). On shutdown the server
// stops accepting connections, answers new requests with 503, waits up to
// Options.ShutdownGrace for calls in flight (including SSE calls whose
// answer has not been written to the stream yet), then closes the streams.
package httpserver
