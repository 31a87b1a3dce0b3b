package main

import (
	"context"
	"io"
)

// runCommand runs a subcommand (setup, doctor) when args start with one;
// ok is false otherwise (the server runs).
func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	if len(args) == 0 {
		return 0, false
	}
	switch args[0] {
	}
	return 0, false
}
