package client

import (
	"crypto/rand"
	"errors"
	"fmt"
)

// IdempotencyKeyHeader is the header Skyvern reads on POST /v1/agents
// (create_workflow) to make a repeated creation return the first one's
// workflow instead of creating another (skyvern/forge/sdk/routes/
// agent_protocol.py, validate_idempotency_key and create_workflow).
const IdempotencyKeyHeader = "Idempotency-Key"

// MaxIdempotencyKeyLength is the longest key Skyvern accepts (bytes).
const MaxIdempotencyKeyLength = 255

// NewIdempotencyKey returns a fresh random key, "skyvern-mcp-" and 32 hex
// digits.
func NewIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return fmt.Sprintf("skyvern-mcp-%x", b)
}

// CheckIdempotencyKey returns an error unless key has 1 to 255 visible
// ASCII characters (0x21-0x7e), what Skyvern accepts (422 otherwise).
func CheckIdempotencyKey(key string) error {
	if len(key) < 1 || len(key) > MaxIdempotencyKeyLength {
		return fmt.Errorf("idempotency_key must have 1 to %d visible ASCII characters, got %d bytes", MaxIdempotencyKeyLength, len(key))
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return errors.New("idempotency_key must have only visible ASCII characters (no spaces or control characters)")
		}
	}
	return nil
}
