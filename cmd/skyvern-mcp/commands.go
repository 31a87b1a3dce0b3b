package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/skyvern-mcp/skyvern-mcp/internal/setup"
)

// runCommand runs a subcommand (setup, doctor) when args start with one;
// ok is false otherwise (the server runs).
func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	if len(args) == 0 {
		return 0, false
	}
	switch args[0] {
	case "setup":
		return runSetup(args[1:], setup.FromOS(), stdout, stderr), true
	case "doctor":
		return runDoctor(ctx, args[1:], stdout, stderr), true
	}
	return 0, false
}

const setupUsage = `Usage: skyvern-mcp setup [flags] <client>

Writes skyvern-mcp into the client's user config file (keeping every other
server, with a backup of the previous file). Clients:
`

// runSetup is `skyvern-mcp setup`. Its flags are command-line only (they
// configure the setup command, not the server).
func runSetup(args []string, env setup.Env, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("skyvern-mcp setup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts setup.Options
	fs.BoolVar(&opts.DryRun, "dry-run", false, "show the change as a diff; write nothing")
	fs.BoolVar(&opts.Print, "print", false, "only print the config snippet (Claude Code: and the claude mcp add line)")
	fs.BoolVar(&opts.Sandbox, "sandbox", false, "configure the embedded sandbox (no API key)")
	fs.StringVar(&opts.Name, "name", "skyvern", "the server entry's name")
	fs.StringVar(&opts.APIKeyFile, "api-key-file", os.Getenv("SKYVERN_API_KEY_FILE"), "the key file the server reads (--api-key-file) for every client, instead of an environment reference or prompt")
	fs.StringVar(&opts.Command, "command", "", "the skyvern-mcp binary the client starts (default: this one)")
	fs.Usage = func() {
		fmt.Fprint(stderr, setupUsage)
		for _, n := range setup.ClientNames() {
			c := setup.Clients[n]
			fmt.Fprintf(stderr, "  %-15s %s (%s)\n", n, c.Title, c.Path(env))
		}
		fmt.Fprintln(stderr, "\nFlags (after skyvern-mcp setup; the server's own flags follow --, e.g. -- --toolsets all):")
		fs.PrintDefaults()
	}
	// Flags may come before or after the client name; server arguments
	// follow --.
	var positional []string
	rest := args
	if i := indexOf(args, "--"); i >= 0 {
		rest, opts.Args = args[:i], args[i+1:]
	}
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if rest = fs.Args(); len(rest) == 0 {
			break
		}
		positional, rest = append(positional, rest[0]), rest[1:]
	}
	if len(positional) != 1 {
		fs.Usage()
		return 2
	}
	opts.Client, opts.Env, opts.Out = positional[0], env, stdout
	if opts.Command == "" {
		exe, err := executable()
		if err != nil {
			fmt.Fprintln(stderr, "skyvern-mcp setup: finding this binary:", err, "(use --command)")
			return 1
		}
		if strings.Contains(exe, string(filepath.Separator)+"go-build") {
			fmt.Fprintln(stderr, "skyvern-mcp setup: warning: this binary is a temporary `go run` build; install it first (go install or make build) or pass --command")
		}
		opts.Command = exe
	}
	if opts.APIKeyFile != "" {
		if abs, err := filepath.Abs(opts.APIKeyFile); err == nil {
			opts.APIKeyFile = abs
		}
	}
	if _, err := setup.Run(opts); err != nil {
		fmt.Fprintln(stderr, "skyvern-mcp setup:", err)
		return 1
	}
	return 0
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// executable is this binary's absolute path with symlinks resolved.
func executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	return exe, nil
}
