// Package servertest provides test helpers for the server package.
// It isolates net/http/httptest so production binaries do not link it.
package servertest
