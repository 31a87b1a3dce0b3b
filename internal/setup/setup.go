package setup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pmezard/go-difflib/difflib"
)

// Options are the inputs of Run.
type Options struct {
	// Client is a key of Clients.
	Client string
	// Command is the absolute path of the skyvern-mcp binary the client
	// will start.
	Command string
	// Name is the server entry's name (default "skyvern").
	Name string
	// Sandbox configures the embedded sandbox (--sandbox, no key).
	Sandbox bool
	// APIKeyFile, when set, is passed as --api-key-file to every client
	// (instead of an environment reference or input prompt).
	APIKeyFile string
	// Args are more server arguments (e.g. --toolsets all), after the key
	// argument.
	Args []string
	// DryRun shows the change as a diff and writes nothing.
	DryRun bool
	// Print writes only the client's config snippet (and, for Claude Code,
	// the equivalent `claude mcp add` line) to Out.
	Print bool
	// Env is the OS layout and user directories (FromOS for the real one).
	Env Env
	// Now stamps backups (time.Now when nil).
	Now func() time.Time
	// Out receives the snippet, diff and notes.
	Out io.Writer
}

// Result says what Run did.
type Result struct {
	// Path is the client's config file.
	Path string
	// Written is true when Path was written; Backup is the copy of the
	// previous file ("" when there was none or nothing was written).
	Written bool
	Backup  string
	// KeyFileWritten is the key file Run created from SKYVERN_API_KEY ("" for
	// none).
	KeyFileWritten string
}

// ErrNotJSON is returned (wrapped) when the client's config file exists but
// is not plain JSON (comments, trailing commas): setup leaves it alone.
var ErrNotJSON = errors.New("not plain JSON")

// Entry is the server entry setup writes for opts, and the inputs entry
// (VS Code's password prompt; nil for other clients).
func Entry(c Client, opts Options) (entry map[string]any, input map[string]any, notes []string) {
	args := []string{}
	env := map[string]any{}
	switch {
	case opts.Sandbox:
		args = append(args, "--sandbox")
		notes = append(notes, "--sandbox: the embedded Skyvern simulator, no API key needed.")
	case opts.APIKeyFile != "":
		args = append(args, "--api-key-file", opts.APIKeyFile)
		notes = append(notes, fmt.Sprintf("The API key is read from %s (--api-key-file); it is not written into the %s config.", opts.APIKeyFile, c.Title))
	case c.Key == KeyEnvRef:
		env["SKYVERN_API_KEY"] = "${env:SKYVERN_API_KEY}"
		notes = append(notes, fmt.Sprintf("%s expands ${env:SKYVERN_API_KEY} from the environment it starts in, so the key is not written into its config: set SKYVERN_API_KEY there (a desktop launcher may not see your shell's variables; then run setup again with --api-key-file FILE).", c.Title))
	case c.Key == KeyInput:
		env["SKYVERN_API_KEY"] = "${input:" + inputID + "}"
		input = map[string]any{"type": "promptString", "id": inputID, "description": "Skyvern API key (Settings → API Keys at https://app.skyvern.com)", "password": true}
		notes = append(notes, c.Title+" asks for the API key once (a password prompt, ${input:"+inputID+"}) and stores it itself; the key is not written into its config.")
	default:
		kf := opts.Env.KeyFile()
		args = append(args, "--api-key-file", kf)
		notes = append(notes, fmt.Sprintf("%s's config cannot reference the environment, so the key is not written into it: the server reads it from %s (--api-key-file), a file only you can read.", c.Title, kf))
	}
	args = append(args, opts.Args...)
	entry = map[string]any{"command": opts.Command, "args": args}
	if len(env) > 0 {
		entry["env"] = env
	}
	if c.Type != "" {
		entry["type"] = c.Type
	}
	return entry, input, notes
}

const inputID = "skyvern-api-key"

// Run writes (or, with DryRun or Print, shows) the skyvern-mcp entry in the
// client's config file: it keeps every other key and server entry, copies
// the previous file to <file>.backup-<UTC time> first, and writes
// atomically. A file that is not plain JSON is left alone (ErrNotJSON). For
// clients that take the key from a file, a missing key file is created from
// SKYVERN_API_KEY (mode 0600) when that variable is set.
func Run(opts Options) (Result, error) {
	c, ok := Clients[opts.Client]
	if !ok {
		return Result{}, fmt.Errorf("unknown client %q: expected one of %s", opts.Client, strings.Join(ClientNames(), ", "))
	}
	if opts.Name == "" {
		opts.Name = "skyvern"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	res := Result{Path: c.Path(opts.Env)}
	entry, input, notes := Entry(c, opts)

	if opts.Print {
		snippet := map[string]any{c.ServersKey: map[string]any{opts.Name: entry}}
		if input != nil {
			snippet["inputs"] = []any{input}
		}
		fmt.Fprintln(opts.Out, string(marshal(snippet)))
		if c.Name == "claude-code" {
			fmt.Fprintln(opts.Out, claudeMCPAdd(opts.Name, entry))
		}
		return res, nil
	}

	old, err := os.ReadFile(res.Path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return res, err
	}
	doc := map[string]any{}
	if len(bytes.TrimSpace(old)) > 0 {
		if err := decodeJSON(old, &doc); err != nil {
			return res, fmt.Errorf("%s is %w (%v): setup does not rewrite it; add this entry under %q by hand (skyvern-mcp setup %s --print shows it)", res.Path, ErrNotJSON, err, c.ServersKey, c.Name)
		}
	}
	servers, _ := doc[c.ServersKey].(map[string]any)
	if servers == nil {
		if v, present := doc[c.ServersKey]; present && v != nil {
			return res, fmt.Errorf("%s: %q is not an object: setup does not rewrite it", res.Path, c.ServersKey)
		}
		servers = map[string]any{}
	}
	_, replacing := servers[opts.Name]
	servers[opts.Name] = entry
	doc[c.ServersKey] = servers
	if input != nil {
		doc["inputs"] = mergeInput(doc["inputs"], input)
	}
	updated := marshal(doc)

	fmt.Fprintf(opts.Out, "%s: %s\n", c.Title, res.Path)
	if bytes.Equal(bytes.TrimSpace(old), bytes.TrimSpace(updated)) {
		fmt.Fprintf(opts.Out, "%q is already configured; nothing to change.\n", opts.Name)
		if !opts.DryRun {
			if err := keyFileStep(c, opts, &res, &notes); err != nil {
				return res, err
			}
		}
		printNotes(opts.Out, notes)
		return res, nil
	}
	verb := "adds"
	if replacing {
		verb = "replaces"
	}
	others := len(servers) - 1
	if opts.DryRun {
		diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A: difflib.SplitLines(string(old)), B: difflib.SplitLines(string(updated)),
			FromFile: res.Path, ToFile: res.Path + " (after setup)", Context: 3,
		})
		fmt.Fprintf(opts.Out, "Dry run: this %s the %q entry and keeps the %d other server(s); nothing is written.\n%s", verb, opts.Name, others, diff)
		printNotes(opts.Out, notes)
		return res, nil
	}

	if err := os.MkdirAll(filepath.Dir(res.Path), 0o700); err != nil {
		return res, err
	}
	mode := fs.FileMode(0o600)
	if old != nil {
		if fi, err := os.Stat(res.Path); err == nil {
			mode = fi.Mode().Perm()
		}
		res.Backup = res.Path + ".backup-" + opts.Now().UTC().Format("20060102T150405Z")
		if err := os.WriteFile(res.Backup, old, mode); err != nil {
			return res, fmt.Errorf("backing up %s: %w", res.Path, err)
		}
	}
	if err := writeAtomic(res.Path, updated, mode); err != nil {
		return res, err
	}
	res.Written = true
	what := fmt.Sprintf("Wrote the %q entry (%s it; %d other server(s) kept)", opts.Name, strings.TrimSuffix(verb, "s")+"d", others)
	if verb == "adds" {
		what = fmt.Sprintf("Added the %q entry (%d other server(s) kept)", opts.Name, others)
	}
	if res.Backup != "" {
		what += "; the previous file is " + res.Backup
	}
	fmt.Fprintln(opts.Out, what+".")
	if err := keyFileStep(c, opts, &res, &notes); err != nil {
		return res, err
	}
	printNotes(opts.Out, notes)
	fmt.Fprintf(opts.Out, "Restart %s to load it; `skyvern-mcp doctor` checks the key and the connection.\n", c.Title)
	return res, nil
}

// keyFileStep creates the key file for clients that read the key from it
// (unless the sandbox or the user's own --api-key-file is configured).
func keyFileStep(c Client, opts Options, res *Result, notes *[]string) error {
	if c.Key != KeyFileArg || opts.Sandbox || opts.APIKeyFile != "" {
		return nil
	}
	kf, note, err := ensureKeyFile(opts.Env)
	if err != nil {
		return err
	}
	res.KeyFileWritten = kf
	*notes = append(*notes, note)
	return nil
}

// ensureKeyFile creates env's key file from SKYVERN_API_KEY when it is
// missing. It returns the file created ("" for none) and what to tell the
// user.
func ensureKeyFile(env Env) (string, string, error) {
	kf := env.KeyFile()
	if _, err := os.Stat(kf); err == nil {
		return "", "The key file " + kf + " exists; it was left as it is.", nil
	}
	key := strings.TrimSpace(env.getenv("SKYVERN_API_KEY"))
	if key == "" {
		return "", fmt.Sprintf("Now put your API key in %s, readable only by you (e.g. umask 077; printf %%s \"$SKYVERN_API_KEY\" > %q), or run setup again with SKYVERN_API_KEY set.", kf, kf), nil
	}
	if err := os.MkdirAll(filepath.Dir(kf), 0o700); err != nil {
		return "", "", err
	}
	if err := writeAtomic(kf, []byte(key+"\n"), 0o600); err != nil {
		return "", "", err
	}
	return kf, "Wrote SKYVERN_API_KEY to " + kf + " (mode 0600).", nil
}

// mergeInput adds (or replaces, by id) the prompt input in VS Code's
// "inputs" list, keeping the others.
func mergeInput(existing any, input map[string]any) []any {
	list, _ := existing.([]any)
	out := make([]any, 0, len(list)+1)
	for _, in := range list {
		if m, ok := in.(map[string]any); ok && m["id"] == input["id"] {
			continue
		}
		out = append(out, in)
	}
	return append(out, input)
}

// decodeJSON decodes one JSON value keeping numbers as written (a
// millisecond timestamp stays an integer).
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
	return buf.Bytes()
}

func writeAtomic(path string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func printNotes(w io.Writer, notes []string) {
	for _, n := range notes {
		fmt.Fprintln(w, "Note:", n)
	}
}

// claudeMCPAdd is the `claude mcp add` command equivalent to entry.
func claudeMCPAdd(name string, entry map[string]any) string {
	parts := []string{"claude", "mcp", "add", "--scope", "user"}
	if env, ok := entry["env"].(map[string]any); ok {
		for k, v := range env {
			parts = append(parts, "--env", shellQuote(fmt.Sprintf("%s=%v", k, v)))
		}
	}
	parts = append(parts, shellQuote(name), "--", shellQuote(entry["command"].(string)))
	for _, a := range entry["args"].([]string) {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
