// Package cdp drives a Skyvern browser session's browser over the Chrome
// DevTools Protocol with chromedp: one connection per browser session per
// caller (Pool), attached to the session's existing page, and the page
// actions the browser_* tools expose (navigate, snapshot, click, type,
// screenshot, ...). It knows nothing of MCP; package tools turns its
// results into tool results.
package cdp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"
)

// DefaultIdle is how long an unused connection stays open.
const DefaultIdle = 10 * time.Minute

// Pool keeps one connection per (caller, browser session), reused across
// calls and closed after Idle without use, by CloseSession, or by Close.
// It is safe for concurrent use.
type Pool struct {
	// Idle is how long an unused connection stays open (0: DefaultIdle).
	Idle time.Duration
	// HTTPClient fetches /json/version (nil: a client with a 10 s timeout).
	HTTPClient *http.Client

	mu    sync.Mutex
	conns map[poolKey]*Conn
}

type poolKey struct{ caller, session string }

// Dial says how to reach a session's browser when the pool has no
// connection yet: it returns the browser_address (http(s)://... or
// ws(s)://...) and the headers to send (x-api-key).
type Dial func(ctx context.Context) (address string, header http.Header, err error)

// Get returns the caller's connection to the browser session, dialling it
// with dial when there is none or the old one was lost. caller identifies
// who calls (a digest of its API key): callers never share a connection.
func (p *Pool) Get(ctx context.Context, caller, sessionID string, dial Dial) (*Conn, error) {
	k := poolKey{caller, sessionID}
	p.mu.Lock()
	if p.conns == nil {
		p.conns = map[poolKey]*Conn{}
	}
	c := p.conns[k]
	p.mu.Unlock()
	if c != nil && c.alive() {
		c.touch()
		return c, nil
	}
	if c != nil {
		p.drop(k, c)
	}
	addr, header, err := dial(ctx)
	if err != nil {
		return nil, err
	}
	c, err = connect(ctx, p.httpClient(), addr, header, "")
	if err != nil {
		return nil, err
	}
	c.address = addr
	idle := p.Idle
	if idle <= 0 {
		idle = DefaultIdle
	}
	c.idle = time.AfterFunc(idle, func() { p.drop(k, c) })
	c.idleFor = idle
	p.mu.Lock()
	if old := p.conns[k]; old != nil && old.alive() {
		// Another call connected first: use its connection.
		p.mu.Unlock()
		c.close()
		old.touch()
		return old, nil
	}
	p.conns[k] = c
	p.mu.Unlock()
	return c, nil
}

func (p *Pool) httpClient() *http.Client {
	if p.HTTPClient != nil {
		return p.HTTPClient
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func (p *Pool) drop(k poolKey, c *Conn) {
	p.mu.Lock()
	if p.conns[k] == c {
		delete(p.conns, k)
	}
	p.mu.Unlock()
	c.close()
}

// CloseSession closes every caller's connection to the browser session.
func (p *Pool) CloseSession(sessionID string) {
	p.mu.Lock()
	var cs []*Conn
	for k, c := range p.conns {
		if k.session == sessionID {
			cs = append(cs, c)
			delete(p.conns, k)
		}
	}
	p.mu.Unlock()
	for _, c := range cs {
		c.close()
	}
}

// Len is how many connections are open.
func (p *Pool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// Close closes every connection.
func (p *Pool) Close() {
	p.mu.Lock()
	cs := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, c := range cs {
		c.close()
	}
}

// Conn is a connection to one browser, attached to one of its pages (the
// current tab). Calls on a Conn are serialised.
type Conn struct {
	// WorkflowRunID is the workflow run (wr_...) of the session's last AI
	// action, sent with the next one. Guarded by the caller's Lock.
	WorkflowRunID string

	address     string
	allocCancel context.CancelFunc
	root        context.Context // a browser without a target
	rootCancel  context.CancelFunc
	page        context.Context
	pageCancel  context.CancelFunc
	pageID      target.ID
	idle        *time.Timer
	idleFor     time.Duration
	call        sync.Mutex
	mu          sync.Mutex
	closed      bool
}

// Address is the browser_address the connection was dialled with.
func (c *Conn) Address() string { return c.address }

// Lock serialises the actions on c; call Unlock when done.
func (c *Conn) Lock() { c.call.Lock() }

// Unlock ends what Lock began.
func (c *Conn) Unlock() { c.call.Unlock() }

func (c *Conn) alive() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.closed && c.root.Err() == nil
}

func (c *Conn) touch() {
	if c.idle != nil {
		c.idle.Reset(c.idleFor)
	}
}

func (c *Conn) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.mu.Unlock()
	if c.idle != nil {
		c.idle.Stop()
	}
	if c.pageCancel != nil {
		c.pageCancel()
	}
	c.rootCancel()
	c.allocCancel()
}

// ResolveWebSocket turns a browser_address into the browser's DevTools
// WebSocket URL: a ws(s):// address as it is; for http(s)://, GET
// <address>/json/version with header and its webSocketDebuggerUrl.
func ResolveWebSocket(ctx context.Context, hc *http.Client, address string, header http.Header) (string, error) {
	u, err := url.Parse(address)
	if err != nil {
		return "", fmt.Errorf("browser_address %q is not a URL: %v", address, err)
	}
	switch u.Scheme {
	case "ws", "wss":
		return address, nil
	case "http", "https":
	default:
		return "", fmt.Errorf("browser_address %q: want http(s):// or ws(s)://", address)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(address, "/")+"/json/version", nil)
	if err != nil {
		return "", err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("the browser at %s did not answer: %w", u.Host, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("the browser at %s refused the connection: HTTP %d %s", u.Host, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	var v struct {
		WS string `json:"webSocketDebuggerUrl"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.WS == "" {
		return "", fmt.Errorf("the browser at %s answered /json/version without webSocketDebuggerUrl", u.Host)
	}
	return v.WS, nil
}

// Connect dials the browser at address (see ResolveWebSocket) on its own,
// outside any pool, and attaches to the page whose URL is preferURL, else
// to the first page. Close it with Close.
func Connect(ctx context.Context, address string, header http.Header, preferURL string) (*Conn, error) {
	c, err := connect(ctx, &http.Client{Timeout: 10 * time.Second}, address, header, preferURL)
	if err != nil {
		return nil, err
	}
	c.address = address
	return c, nil
}

// Close closes a connection made by Connect.
func (c *Conn) Close() { c.close() }

// connect dials the browser and attaches to the page whose URL is prefer,
// else to its first page (opening one when it has none).
func connect(ctx context.Context, hc *http.Client, address string, header http.Header, prefer string) (*Conn, error) {
	ws, err := ResolveWebSocket(ctx, hc, address, header)
	if err != nil {
		return nil, err
	}
	actx, acancel := remote.NewAllocator(context.Background(), ws, remote.NoModifyURL, remote.WithDialHTTPHeader(header))
	root, rcancel := chromedp.NewContext(actx)
	c := &Conn{allocCancel: acancel, root: root, rootCancel: rcancel}
	done := make(chan error, 1)
	go func() {
		// chromedp.Targets connects the browser without opening a tab.
		var infos []*target.Info
		var err error
		for i := 0; i < 50; i++ {
			if infos, err = chromedp.Targets(root); err != nil || len(pages(infos)) > 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			done <- err
			return
		}
		ps := pages(infos)
		var id target.ID
		if len(ps) == 0 {
			res, err := chromedp.CallBrowser(root, target.CreateTarget, target.CreateTargetParams{URL: "about:blank"})
			if err != nil {
				done <- err
				return
			}
			id = res.TargetID
		} else {
			id = ps[0].TargetID
			for _, p := range ps {
				if prefer != "" && p.URL == prefer {
					id = p.TargetID
					break
				}
			}
		}
		done <- c.attach(id)
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		c.close()
		return nil, fmt.Errorf("connecting to the browser: %w", err)
	}
	return c, nil
}

// pages keeps the page targets, in the browser's order.
func pages(infos []*target.Info) []*target.Info {
	var out []*target.Info
	for _, t := range infos {
		if t.Type == "page" {
			out = append(out, t)
		}
	}
	return out
}

// attach makes id the current page.
func (c *Conn) attach(id target.ID) error {
	pctx, pcancel := chromedp.NewContext(c.root, chromedp.WithTargetID(id), chromedp.WithDetachOnCancel())
	if err := chromedp.Do(pctx); err != nil {
		pcancel()
		return err
	}
	if c.pageCancel != nil {
		c.pageCancel()
	}
	c.page, c.pageCancel, c.pageID = pctx, pcancel, id
	return nil
}

// ErrClosed is returned for actions on a connection that was closed.
var ErrClosed = errors.New("the connection to the browser was closed (the session ended, or idled out); call again to reconnect")

// ctx returns a context for actions on the current page, cancelled with
// the call's ctx: cancelling it stops the actions, not the page.
func (c *Conn) ctx(call context.Context) (context.Context, context.CancelFunc, error) {
	if !c.alive() {
		return nil, nil, ErrClosed
	}
	c.touch()
	ctx, cancel := context.WithCancel(c.page)
	stop := context.AfterFunc(call, cancel)
	return ctx, func() { stop(); cancel() }, nil
}

// run runs one action on the current page with the call's ctx.
func run[T any](call context.Context, c *Conn, a chromedp.Action[T]) (T, error) {
	ctx, cancel, err := c.ctx(call)
	if err != nil {
		var zero T
		return zero, err
	}
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil && call.Err() != nil {
		return v, call.Err()
	}
	return v, err
}
