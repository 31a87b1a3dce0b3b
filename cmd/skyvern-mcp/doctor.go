package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
	"github.com/skyvern-mcp/skyvern-mcp/internal/config"
	"github.com/skyvern-mcp/skyvern-mcp/internal/doctor"
	"github.com/skyvern-mcp/skyvern-mcp/internal/setup"
)

// runDoctor is `skyvern-mcp doctor [server flags]`: it reads the
// configuration as the server would (flags, environment, .env, --config)
// and checks it. The exit code is 1 when a check failed, 2 for a
// configuration that does not load.
func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return doctorWith(ctx, args, setup.FromOS(), stdout, stderr)
}

func doctorWith(ctx context.Context, args []string, env setup.Env, stdout, stderr io.Writer) int {
	cfg, err := config.Load(args, ".env", stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stdout, "%-4s  %-14s %v\n      %-14s → fix the flag, variable or file it names (skyvern-mcp --help lists them)\n", doctor.Fail, "config", err, "")
		return 2
	}
	exe, _ := executable()
	o := doctor.Options{BaseURL: cfg.BaseURL, APIKey: cfg.APIKey, KeySource: "SKYVERN_API_KEY", Build: currentBuild().String(), Executable: exe, Env: env}
	if cfg.APIKeyFile != "" {
		o.KeySource = "--api-key-file " + cfg.APIKeyFile
	}
	if cfg.Sandbox {
		sb := sandbox.NewMulti(sandbox.Options{RunDuration: cfg.SandboxRunDuration}, 0)
		url, shutdown, err := sb.Listen("127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(stderr, "skyvern-mcp doctor: starting the sandbox:", err)
			return 1
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = shutdown(sctx)
		}()
		o.BaseURL, o.APIKey, o.KeySource, o.Sandbox = url, sandboxKey, "the sandbox (--sandbox)", true
	}
	checks, ok := doctor.Run(ctx, o)
	doctor.Print(stdout, checks)
	if !ok {
		fmt.Fprintln(stdout, "Something is wrong: see the FAIL lines above.")
		return 1
	}
	fmt.Fprintln(stdout, "All checks passed.")
	return 0
}
