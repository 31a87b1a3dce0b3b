package resources

import (
	"context"
	"errors"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// notFoundError is a resource that does not exist: an unknown run,
// artifact, session or workflow (Skyvern answered 404), a URI that names no
// Skyvern object, or a recording that does not exist. It is sent as the
// JSON-RPC error the client's protocol revision specifies for a missing
// resource (-32002 up to 2025-11-25, -32602 from 2026-07-28, as mcp-go
// does for a URI no template matches), with the URI in the message and in
// data {"uri": ...}.
type notFoundError struct {
	uri, msg string
	code     int
}

func (e *notFoundError) Error() string { return e.msg }

// JSONRPCError implements server.JSONRPCErrorProvider.
func (e *notFoundError) JSONRPCError() mcp.JSONRPCError {
	return mcp.JSONRPCError{JSONRPC: mcp.JSONRPC_VERSION,
		Error: mcp.NewJSONRPCErrorDetails(e.code, e.msg, map[string]any{"uri": e.uri})}
}

// errNotFound marks err as a missing resource; see notFoundError.
type errNotFound struct{ err error }

func (e *errNotFound) Error() string { return e.err.Error() }
func (e *errNotFound) Unwrap() error { return e.err }

func notFound(err error) error { return &errNotFound{err: err} }

// protocolError turns a handler error into what mcp-go sends: a missing
// resource as a typed JSON-RPC error, anything else as it is (an internal
// error). msg is the error's text, already redacted.
func protocolError(ctx context.Context, uri, msg string, err error) error {
	var nf *errNotFound
	var ue *uriError
	if !errors.As(err, &nf) && !errors.As(err, &ue) {
		return errors.New(msg)
	}
	if nf != nil {
		msg = "resource " + uri + " not found: " + msg
	}
	code := mcp.RESOURCE_NOT_FOUND
	if mcp.IsModernProtocol(server.RequestProtocolVersion(ctx)) {
		code = mcp.INVALID_PARAMS
	}
	return server.NewHandlerError(&notFoundError{uri: uri, msg: msg, code: code})
}
