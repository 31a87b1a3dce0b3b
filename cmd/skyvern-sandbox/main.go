// Command skyvern-sandbox serves the Skyvern simulator (package
// client/sandbox) on its own, so that several skyvern-mcp replicas can
// share one simulated Skyvern (--base-url) as they would share the real
// one: with --sandbox each replica has its own in-process simulator, whose
// runs the others cannot see. Tests and benchmarks of replicas use it; it
// is not for production.
//
//	skyvern-sandbox [--addr 127.0.0.1:0] [--run-seconds 3]
//
// It logs one JSON line {"message":"listening","addr":"host:port"} on
// stderr and serves until SIGINT or SIGTERM. Any x-api-key is accepted;
// each key gets its own simulated account.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address host:port (port 0: any free port)")
	runSeconds := flag.Float64("run-seconds", 3, "how long a simulated run takes, in seconds")
	flag.Parse()
	m := sandbox.NewMulti(sandbox.Options{RunDuration: time.Duration(*runSeconds * float64(time.Second))}, 0)
	url, shutdown, err := m.Listen(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "skyvern-sandbox:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "{\"message\":\"listening\",\"addr\":%q}\n", strings.TrimPrefix(url, "http://"))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = shutdown(sctx)
}
