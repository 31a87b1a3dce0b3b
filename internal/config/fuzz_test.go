package config

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad runs Load with fuzzed arguments (split on NUL) after a --config
// flag naming a fuzzed JSON file. No panic; an error names the flag, the
// config file or the arguments at fault. Seeds: testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, EnvPrefix+"_") {
			f.Setenv(k, "")
			if err := os.Unsetenv(k); err != nil {
				f.Fatal(err)
			}
		}
	}
	f.Add("--sandbox\x00--toolsets=runs", `{"log-level":"debug"}`)
	f.Add("--request-timeout=x", `{`)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, args, file string) {
		if strings.Contains(args, "/dev/") || strings.Contains(args, "/proc/") || strings.Contains(args, "/sys/") {
			t.Skip("device and kernel files can block or never end")
		}
		path := filepath.Join(dir, "config.json")
		if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		argv := []string{"--config=" + path}
		if args != "" {
			argv = append(argv, strings.Split(args, "\x00")...)
		}
		c, err := Load(argv, "", io.Discard)
		if err == nil {
			if c == nil {
				t.Fatal("nil config without an error")
			}
			return
		}
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		msg := err.Error()
		if msg == "" {
			t.Fatal("empty error")
		}
		if !namesWhatIsWrong(msg) {
			t.Fatalf("Load(%q) with config %q: error names no flag: %s", argv, file, msg)
		}
	})
}

// namesWhatIsWrong reports whether an error from Load names a flag
// (-name or --name), the config file, or the argument at fault.
func namesWhatIsWrong(msg string) bool {
	// A malformed argument ("---", "-=x") has no flag name: the flag
	// package quotes the argument itself.
	if strings.Contains(msg, "config file") || strings.HasPrefix(msg, "unexpected arguments") ||
		strings.Contains(msg, "error parsing commandline arguments: bad flag syntax: ") {
		return true
	}
	for _, name := range flagNames() {
		if strings.Contains(msg, "-"+name) {
			return true
		}
	}
	return strings.Contains(msg, "flag provided but not defined")
}

func flagNames() []string {
	return []string{"transport", "base-url", "environment", "api-key-file", "sandbox", "sandbox-run-seconds", "read-only",
		"toolsets", "upload-dir", "config", "log-level", "log-file", "request-timeout", "cancel-run-on-abort",
		"max-resource-bytes", "sandbox-recording-bytes", "task-ttl", "max-tasks", "version", "api-key",
		"addr", "stateless", "allowed-origins", "auth-token-file", "shutdown-grace", "max-request-bytes", "auth-token", "MCP_AUTH_TOKEN"}
}

func TestAPIKeyFileIsBounded(t *testing.T) {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, EnvPrefix+"_") {
			t.Setenv(k, "")
			if err := os.Unsetenv(k); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := Load([]string{"--api-key-file=/dev/zero"}, "", io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--api-key-file") || !strings.Contains(err.Error(), "larger than 64 KiB") {
		t.Fatalf("want a bounded read with an error naming the flag, got %v", err)
	}
}

func TestConfigFileErrorsNameTheFlag(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.json")
	if err := os.WriteFile(path, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load([]string{"--config", path}, "", io.Discard)
	if err == nil || !strings.HasPrefix(err.Error(), "--config \""+path+"\": expected a JSON object") {
		t.Fatalf("got %v", err)
	}
	_, err = Load([]string{"--config", filepath.Join(dir, "missing.json")}, "", io.Discard)
	if err == nil || !strings.HasPrefix(err.Error(), "--config: open ") {
		t.Fatalf("got %v", err)
	}
}
