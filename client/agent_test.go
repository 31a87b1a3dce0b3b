package client_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
	"github.com/skyvern-mcp/skyvern-mcp/internal/testenv"
)

// retention_days outside 1-365 is a 422 with a string detail
// (uploaded_file_service.resolve_expires_at via HTTPException), which the
// server's document does not describe: checked without the spec.
func TestUploadRetentionOutOfRange(t *testing.T) {
	_, c := testenv.SandboxUnchecked(t, sandbox.Options{APIKey: contractKey}, contractKey)
	for _, days := range []int{0, 366} {
		_, err := c.UploadFileWith(context.Background(), "b.txt", "", strings.NewReader("x"), client.UploadOptions{RetentionDays: &days})
		assert.Equal(t, 422, client.StatusCode(err), "retention_days %d", days)
		assert.ErrorContains(t, err, "retention_days must be between 1 and 365")
	}
}
