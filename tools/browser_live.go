package tools

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/internal/cdp"
)

// The browser toolset drives a browser session's page live over the Chrome
// DevTools Protocol (package internal/cdp): one connection per browser
// session per caller, made at the first call from the session's
// browser_address with the caller's x-api-key, reused by later calls,
// closed by close_browser_session, after 10 minutes unused, or by
// CloseBrowsers.

// Bounds of the browser tools' results.
const (
	// DefaultSnapshotChars is the size of one snapshot page in characters.
	DefaultSnapshotChars = 8000
	// MaxSnapshotLines bounds the lines a snapshot walks.
	MaxSnapshotLines = 5000
	// MaxEvaluateBytes bounds browser_evaluate's result (JSON bytes).
	MaxEvaluateBytes = 16 << 10
	// MaxScreenshotBytes bounds a screenshot's image bytes (as get_artifact
	// inlines images): larger PNGs are taken again as JPEG.
	MaxScreenshotBytes = MaxInlineImageBytes
)

var browserPools sync.Map // *Deps -> *cdp.Pool

// BrowserPool is the pool of browser connections of the tools bound to
// deps.
func (d *Deps) BrowserPool() *cdp.Pool {
	p, _ := browserPools.LoadOrStore(d, &cdp.Pool{})
	return p.(*cdp.Pool)
}

// CloseBrowsers closes every browser connection of the tools bound to
// deps (the browsers themselves go on).
func (d *Deps) CloseBrowsers() {
	if p, ok := browserPools.LoadAndDelete(d); ok {
		p.(*cdp.Pool).Close()
	}
}

// BrowserInput names the browser session a browser tool acts in.
type BrowserInput struct {
	BrowserSessionID string `json:"browser_session_id" jsonschema:"required" jsonschema_description:"pbs_... (create_browser_session)"`
}

// ElementInput addresses an element.
type ElementInput struct {
	Ref      string `json:"ref,omitempty" jsonschema_description:"Element ref from browser_snapshot (e.g. e12)."`
	Selector string `json:"selector,omitempty" jsonschema_description:"CSS selector, when there is no ref."`
}

func (e ElementInput) element() (cdp.Element, error) {
	if e.Ref == "" && e.Selector == "" {
		return cdp.Element{}, fmt.Errorf("invalid arguments: ref or selector is required (a ref from browser_snapshot, or a CSS selector)")
	}
	return cdp.Element{Ref: e.Ref, Selector: e.Selector}, nil
}

// withPage runs fn on the caller's connection to the session, serialised
// with the caller's other calls on it.
func withPage[T any](ctx context.Context, c *call, sessionID string, fn func(*cdp.Conn) (T, error)) (T, error) {
	var zero T
	conn, err := c.deps.BrowserPool().Get(ctx, c.client.KeyDigest(), sessionID, func(ctx context.Context) (string, http.Header, error) {
		s, err := c.client.GetBrowserSession(ctx, sessionID)
		if err != nil {
			return "", nil, err
		}
		if s.BrowserAddress == "" {
			return "", nil, fmt.Errorf("browser session %s has no browser_address (status %s): it is not running; start one with create_browser_session", sessionID, s.Status)
		}
		return s.BrowserAddress, c.client.CDPHeader(), nil
	})
	if err != nil {
		return zero, err
	}
	conn.Lock()
	defer conn.Unlock()
	v, err := fn(conn)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		// Not Skyvern's deadline: the browser's.
		return v, fmt.Errorf("the browser did not finish in time: %v", err)
	}
	return v, err
}

// BrowserPageResult is the page after an action.
type BrowserPageResult struct {
	URL   string `json:"url"`
	Title string `json:"title"`
}

func pageResult(p cdp.PageInfo, err error) (*BrowserPageResult, error) {
	if err != nil {
		return nil, err
	}
	return &BrowserPageResult{URL: p.URL, Title: p.Title}, nil
}

// BrowserNavigateInput is browser_navigate's input.
type BrowserNavigateInput struct {
	BrowserInput
	URL       string  `json:"url" jsonschema:"required" jsonschema_description:"Page to open (http, https, file or about:blank)."`
	WaitUntil string  `json:"wait_until,omitempty" jsonschema:"enum=load,enum=domcontentloaded,enum=networkidle,default=load"`
	Timeout   float64 `json:"timeout,omitempty" jsonschema:"minimum=1,maximum=120,default=30" jsonschema_description:"Seconds."`
}

// BrowserSnapshotInput is browser_snapshot's input.
type BrowserSnapshotInput struct {
	BrowserInput
	Page     int `json:"page,omitempty" jsonschema:"minimum=1,default=1" jsonschema_description:"Page of a long snapshot."`
	MaxChars int `json:"max_chars,omitempty" jsonschema:"minimum=1000,maximum=40000,default=8000" jsonschema_description:"Characters per page."`
}

// BrowserSnapshotResult is browser_snapshot's output.
type BrowserSnapshotResult struct {
	URL      string `json:"url"`
	Title    string `json:"title"`
	Snapshot string `json:"snapshot" jsonschema_description:"Visible text and interactive elements, one per line, with [ref=eN]."`
	Page     int    `json:"page"`
	Pages    int    `json:"pages"`
}

// BrowserClickInput addresses an element to click or hover.
type BrowserClickInput struct {
	BrowserInput
	ElementInput
}

// BrowserTypeInput is browser_type's input.
type BrowserTypeInput struct {
	BrowserInput
	ElementInput
	Text   string `json:"text" jsonschema:"required" jsonschema_description:"Text to type."`
	Clear  bool   `json:"clear,omitempty" jsonschema_description:"Empty the field first."`
	Submit bool   `json:"submit,omitempty" jsonschema_description:"Press Enter after."`
}

// BrowserSelectInput is browser_select_option's input.
type BrowserSelectInput struct {
	BrowserInput
	ElementInput
	Values []string `json:"values" jsonschema:"required,minItems=1" jsonschema_description:"Option values or visible texts."`
}

// BrowserSelectResult is browser_select_option's output.
type BrowserSelectResult struct {
	Selected []string `json:"selected" jsonschema_description:"Values now selected."`
}

// BrowserKeyInput is browser_press_key's input.
type BrowserKeyInput struct {
	BrowserInput
	Key string `json:"key" jsonschema:"required" jsonschema_description:"Enter, Tab, Escape, Backspace, ArrowDown, ... or one character."`
}

// BrowserScrollInput is browser_scroll's input.
type BrowserScrollInput struct {
	BrowserInput
	ElementInput
	Direction string  `json:"direction,omitempty" jsonschema:"enum=down,enum=up,enum=left,enum=right,default=down" jsonschema_description:"Without an element."`
	Amount    float64 `json:"amount,omitempty" jsonschema:"minimum=1,default=600" jsonschema_description:"CSS pixels."`
}

// BrowserScrollResult is browser_scroll's output.
type BrowserScrollResult struct {
	X float64 `json:"x" jsonschema_description:"Page scroll position, CSS pixels."`
	Y float64 `json:"y"`
}

// BrowserWaitInput is browser_wait_for's input.
type BrowserWaitInput struct {
	BrowserInput
	Selector string  `json:"selector,omitempty" jsonschema_description:"Wait until a visible element matches."`
	Text     string  `json:"text,omitempty" jsonschema_description:"Wait until the page's text contains it."`
	Time     float64 `json:"time,omitempty" jsonschema:"minimum=0,maximum=60" jsonschema_description:"Or just wait this many seconds."`
	Timeout  float64 `json:"timeout,omitempty" jsonschema:"minimum=1,maximum=120,default=10" jsonschema_description:"Seconds."`
}

// BrowserScreenshotInput is browser_screenshot's input.
type BrowserScreenshotInput struct {
	BrowserInput
	ElementInput
	Type    string `json:"type,omitempty" jsonschema:"enum=viewport,enum=full_page,enum=element,default=viewport" jsonschema_description:"element needs ref or selector."`
	Format  string `json:"format,omitempty" jsonschema:"enum=png,enum=jpeg,default=png"`
	Quality int    `json:"quality,omitempty" jsonschema:"minimum=1,maximum=100,default=80" jsonschema_description:"JPEG quality."`
}

// BrowserScreenshotResult is browser_screenshot's output; the image itself
// is an image content item.
type BrowserScreenshotResult struct {
	MIMEType  string `json:"mime_type"`
	Width     int    `json:"width" jsonschema_description:"Pixels."`
	Height    int    `json:"height"`
	SizeBytes int    `json:"size_bytes"`
	image     *cdp.Shot
}

func (r *BrowserScreenshotResult) extraContent() []mcp.Content {
	if r.image == nil {
		return nil
	}
	return []mcp.Content{mcp.NewImageContent(base64.StdEncoding.EncodeToString(r.image.Data), r.image.MIMEType)}
}

// BrowserEvaluateInput is browser_evaluate's input.
type BrowserEvaluateInput struct {
	BrowserInput
	Expression string `json:"expression" jsonschema:"required" jsonschema_description:"JavaScript expression; a promise is awaited."`
}

// BrowserEvaluateResult is browser_evaluate's output.
type BrowserEvaluateResult struct {
	Result    any  `json:"result,omitempty" jsonschema_description:"The value as JSON (cut to 16 KiB, as a string, when larger)."`
	Truncated bool `json:"truncated,omitempty"`
}

// BrowserTabsInput is browser_tabs' input.
type BrowserTabsInput struct {
	BrowserInput
	Action string `json:"action" jsonschema:"required,enum=list,enum=open,enum=switch,enum=close" jsonschema_description:"What to do; all return the tabs."`
	URL    string `json:"url,omitempty" jsonschema_description:"open: page to load."`
	TabID  string `json:"tab_id,omitempty" jsonschema_description:"switch, close: id from list."`
}

// BrowserTabsResult is browser_tabs' output.
type BrowserTabsResult struct {
	Tabs []cdp.Tab `json:"tabs"`
}

// BrowserAIInput is browser_act's and browser_validate's input.
type BrowserAIInput struct {
	BrowserInput
	Prompt string `json:"prompt" jsonschema:"required" jsonschema_description:"Instruction, or condition to check (validate)."`
}

// BrowserExtractInput is browser_extract's input.
type BrowserExtractInput struct {
	BrowserInput
	Prompt string         `json:"prompt" jsonschema:"required" jsonschema_description:"What to extract."`
	Schema map[string]any `json:"schema,omitempty" jsonschema_description:"JSON Schema of the data."`
}

// BrowserAIResult is the output of browser_act, browser_extract and
// browser_validate.
type BrowserAIResult struct {
	WorkflowRunID string `json:"workflow_run_id" jsonschema_description:"wr_..., sent with the session's next AI action."`
	Result        any    `json:"result,omitempty"`
}

var (
	browserReadHints  = hints{readOnly: true, idempotent: true, openWorld: true}
	browserWriteHints = hints{openWorld: true}
)

func browserLiveTools() []Tool {
	def := func(name, title, desc string, h hints) spec {
		return spec{name: name, title: title, description: desc, toolset: ToolsetBrowser, hints: h}
	}
	return []Tool{
		define(def("browser_navigate", "Open a URL in a session", "Load a URL in the browser session's current tab and wait for it to load; returns url and title.", browserWriteHints),
			func(ctx context.Context, c *call, in *BrowserNavigateInput) (*BrowserPageResult, error) {
				timeout := time.Duration(in.Timeout * float64(time.Second))
				if timeout <= 0 {
					timeout = 30 * time.Second
				}
				return withPage(ctx, c, in.BrowserSessionID, func(conn *cdp.Conn) (*BrowserPageResult, error) {
					tctx, cancel := context.WithTimeout(ctx, timeout)
					defer cancel()
					p, err := cdp.Navigate(tctx, conn, in.URL, cdp.WaitUntil(in.WaitUntil))
					if err != nil && ctx.Err() == nil && tctx.Err() != nil {
						return nil, fmt.Errorf("the page did not load within %s; loading stopped", timeout)
					}
					return pageResult(p, err)
				})
			}),
		define(def("browser_snapshot", "Read the page", "The page as text: visible text and interactive elements with refs (e12) for the other browser tools. Paged.", browserReadHints),
			func(ctx context.Context, c *call, in *BrowserSnapshotInput) (*BrowserSnapshotResult, error) {
				return withPage(ctx, c, in.BrowserSessionID, func(conn *cdp.Conn) (*BrowserSnapshotResult, error) {
					s, err := cdp.TakeSnapshot(ctx, conn, MaxSnapshotLines)
					if err != nil {
						return nil, err
					}
					return snapshotPage(s, in.Page, in.MaxChars)
				})
			}),
		define(def("browser_click", "Click an element", "Click an element (ref from browser_snapshot, or CSS selector) with the mouse; waits for a page it loads.", browserWriteHints),
			func(ctx context.Context, c *call, in *BrowserClickInput) (*BrowserPageResult, error) {
				el, err := in.element()
				if err != nil {
					return nil, err
				}
				return withPage(ctx, c, in.BrowserSessionID, func(conn *cdp.Conn) (*BrowserPageResult, error) {
					return pageResult(cdp.Click(ctx, conn, el))
				})
			}),
		define(def("browser_type", "Type into an element", "Type text into a page field (ref or selector), optionally emptying it first and pressing Enter after.", browserWriteHints),
			func(ctx context.Context, c *call, in *BrowserTypeInput) (*BrowserPageResult, error) {
				el, err := in.element()
				if err != nil {
					return nil, err
				}
				return withPage(ctx, c, in.BrowserSessionID, func(conn *cdp.Conn) (*BrowserPageResult, error) {
					return pageResult(cdp.Type(ctx, conn, el, in.Text, in.Clear, in.Submit))
				})
			}),
		define(def("browser_select_option", "Choose in a select", "Choose options of a <select> element (ref or selector) by their value or visible text.", browserWriteHints),
			func(ctx context.Context, c *call, in *BrowserSelectInput) (*BrowserSelectResult, error) {
				el, err := in.element()
				if err != nil {
					return nil, err
				}
				return withPage(ctx, c, in.BrowserSessionID, func(conn *cdp.Conn) (*BrowserSelectResult, error) {
					got, err := cdp.SelectOption(ctx, conn, el, in.Values)
					if err != nil {
						return nil, err
					}
					return &BrowserSelectResult{Selected: got}, nil
				})
			}),
		define(def("browser_press_key", "Press a key", "Press a keyboard key (Enter, Tab, Escape, arrows, a character) in the focused element of the page.", browserWriteHints),
			func(ctx context.Context, c *call, in *BrowserKeyInput) (*BrowserPageResult, error) {
				return withPage(ctx, c, in.BrowserSessionID, func(conn *cdp.Conn) (*BrowserPageResult, error) {
					return pageResult(cdp.PressKey(ctx, conn, in.Key))
				})
			}),
		define(def("browser_hover", "Hover over an element", "Move the mouse over a page element (ref or selector), e.g. to open a menu that shows on hover.", browserWriteHints),
			func(ctx context.Context, c *call, in *BrowserClickInput) (*OKResult, error) {
				el, err := in.element()
				if err != nil {
					return nil, err
				}
				return withPage(ctx, c, in.BrowserSessionID, func(conn *cdp.Conn) (*OKResult, error) {
					if err := cdp.Hover(ctx, conn, el); err != nil {
						return nil, err
					}
					return &OKResult{OK: true, Message: "Hovering over " + el.String() + "."}, nil
				})
			}),
		define(def("browser_scroll", "Scroll", "Scroll an element (ref or selector) into view, or scroll the page up, down, left or right.", browserWriteHints),
			func(ctx context.Context, c *call, in *BrowserScrollInput) (*BrowserScrollResult, error) {
				amount := in.Amount
				if amount <= 0 {
					amount = 600
				}
				var dx, dy float64
				switch in.Direction {
				case "up":
					dy = -amount
				case "left":
					dx = -amount
				case "right":
					dx = amount
				default:
					dy = amount
				}
				el := cdp.Element{Ref: in.Ref, Selector: in.Selector}
				return withPage(ctx, c, in.BrowserSessionID, func(conn *cdp.Conn) (*BrowserScrollResult, error) {
					x, y, err := cdp.Scroll(ctx, conn, el, dx, dy)
					if err != nil {
						return nil, err
					}
					return &BrowserScrollResult{X: x, Y: y}, nil
				})
			}),
		define(def("browser_wait_for", "Wait for the page", "Wait until an element is visible, a text appears, or some seconds pass.", browserReadHints),
			func(ctx context.Context, c *call, in *BrowserWaitInput) (*BrowserPageResult, error) {
				if in.Selector == "" && in.Text == "" && in.Time == 0 {
					return nil, fmt.Errorf("invalid arguments: selector, text or time is required")
				}
				timeout := time.Duration(in.Timeout * float64(time.Second))
				if timeout <= 0 {
					timeout = 10 * time.Second
				}
				return withPage(ctx, c, in.BrowserSessionID, func(conn *cdp.Conn) (*BrowserPageResult, error) {
					if in.Selector == "" && in.Text == "" {
						t := time.NewTimer(time.Duration(in.Time * float64(time.Second)))
						defer t.Stop()
						select {
						case <-ctx.Done():
							return nil, ctx.Err()
						case <-t.C:
						}
						return pageResult(cdp.Info(ctx, conn))
					}
					tctx, cancel := context.WithTimeout(ctx, timeout)
					defer cancel()
					if err := cdp.WaitFor(tctx, conn, in.Selector, in.Text); err != nil {
						if ctx.Err() == nil && tctx.Err() != nil {
							what := "an element matching " + in.Selector
							if in.Selector == "" {
								what = fmt.Sprintf("the text %q", in.Text)
							}
							return nil, fmt.Errorf("%s did not appear within %s", what, timeout)
						}
						return nil, err
					}
					return pageResult(cdp.Info(ctx, conn))
				})
			}),
		define(def("browser_screenshot", "Take a screenshot", "Screenshot of the viewport, the full page or an element, as an image (PNG; JPEG when large).", browserReadHints),
			func(ctx context.Context, c *call, in *BrowserScreenshotInput) (*BrowserScreenshotResult, error) {
				kind := cdp.ShotKind(in.Type)
				if kind == "" {
					kind = cdp.ShotViewport
				}
				var el cdp.Element
				if kind == cdp.ShotElement {
					var err error
					if el, err = in.element(); err != nil {
						return nil, err
					}
				}
				quality := 0
				if in.Format == "jpeg" {
					quality = in.Quality
					if quality == 0 {
						quality = 80
					}
				}
				return withPage(ctx, c, in.BrowserSessionID, func(conn *cdp.Conn) (*BrowserScreenshotResult, error) {
					shot, err := cdp.Screenshot(ctx, conn, kind, el, quality, MaxScreenshotBytes)
					if err != nil {
						return nil, err
					}
					return &BrowserScreenshotResult{MIMEType: shot.MIMEType, Width: shot.Width, Height: shot.Height, SizeBytes: len(shot.Data), image: shot}, nil
				})
			}),
		define(def("browser_evaluate", "Run JavaScript in the page", "Evaluate a JavaScript expression in the page; returns its JSON value (16 KiB at most).", hints{destructive: true, openWorld: true}),
			func(ctx context.Context, c *call, in *BrowserEvaluateInput) (*BrowserEvaluateResult, error) {
				return withPage(ctx, c, in.BrowserSessionID, func(conn *cdp.Conn) (*BrowserEvaluateResult, error) {
					raw, err := cdp.Evaluate(ctx, conn, in.Expression)
					if err != nil {
						return nil, err
					}
					if len(raw) > MaxEvaluateBytes {
						return &BrowserEvaluateResult{Result: truncateUTF8(string(raw), MaxEvaluateBytes), Truncated: true}, nil
					}
					var v any
					if err := json.Unmarshal(raw, &v); err != nil {
						return nil, err
					}
					return &BrowserEvaluateResult{Result: v}, nil
				})
			}),
		define(def("browser_tabs", "List, open, switch, close tabs", "List the session's tabs, open one, switch to one (later tools act there) or close one.", browserWriteHints),
			func(ctx context.Context, c *call, in *BrowserTabsInput) (*BrowserTabsResult, error) {
				if (in.Action == "switch" || in.Action == "close") && in.TabID == "" {
					return nil, fmt.Errorf("invalid arguments: tab_id is required for %s (ids come from action list)", in.Action)
				}
				return withPage(ctx, c, in.BrowserSessionID, func(conn *cdp.Conn) (*BrowserTabsResult, error) {
					var err error
					switch in.Action {
					case "open":
						_, err = cdp.OpenTab(ctx, conn, in.URL)
					case "switch":
						err = cdp.SwitchTab(ctx, conn, in.TabID)
					case "close":
						err = cdp.CloseTab(ctx, conn, in.TabID)
					}
					if err != nil {
						return nil, err
					}
					tabs, err := cdp.Tabs(ctx, conn)
					if err != nil {
						return nil, err
					}
					return &BrowserTabsResult{Tabs: tabs}, nil
				})
			}),
		define(def("browser_back", "Go back", "Go back one page in the history of the browser session's current tab; returns url and title.", browserWriteHints),
			func(ctx context.Context, c *call, in *BrowserInput) (*BrowserPageResult, error) {
				return withPage(ctx, c, in.BrowserSessionID, func(conn *cdp.Conn) (*BrowserPageResult, error) {
					return pageResult(cdp.Back(ctx, conn))
				})
			}),
		define(def("browser_forward", "Go forward", "Go forward one page in the history of the browser session's current tab; returns url and title.", browserWriteHints),
			func(ctx context.Context, c *call, in *BrowserInput) (*BrowserPageResult, error) {
				return withPage(ctx, c, in.BrowserSessionID, func(conn *cdp.Conn) (*BrowserPageResult, error) {
					return pageResult(cdp.Forward(ctx, conn))
				})
			}),
		define(def("browser_act", "Do an AI action on the page", "Let Skyvern's AI do one instruction on the current page (COSTS MONEY; sent once, never retried).", hints{destructive: true, openWorld: true}),
			func(ctx context.Context, c *call, in *BrowserAIInput) (*BrowserAIResult, error) {
				return browserAI(ctx, c, in.BrowserSessionID, client.SDKAction{Type: client.SDKActionAct, Intention: in.Prompt})
			}),
		define(def("browser_extract", "Extract data from the page", "Let Skyvern's AI extract data from the current page, shaped by a JSON Schema (COSTS MONEY).", hints{readOnly: true, openWorld: true}),
			func(ctx context.Context, c *call, in *BrowserExtractInput) (*BrowserAIResult, error) {
				a := client.SDKAction{Type: client.SDKActionExtract, Prompt: in.Prompt}
				if in.Schema != nil {
					b, err := json.Marshal(in.Schema)
					if err != nil {
						return nil, err
					}
					a.ExtractSchema = client.RawJSON(b)
				}
				return browserAI(ctx, c, in.BrowserSessionID, a)
			}),
		define(def("browser_validate", "Check the page", "Let Skyvern's AI say whether the current page meets a condition: true or false (COSTS MONEY).", hints{readOnly: true, openWorld: true}),
			func(ctx context.Context, c *call, in *BrowserAIInput) (*BrowserAIResult, error) {
				return browserAI(ctx, c, in.BrowserSessionID, client.SDKAction{Type: client.SDKActionValidate, Prompt: in.Prompt})
			}),
	}
}

// browserAI runs an SDK action on the session's current page (POST
// /v1/sdk/run_action with its url, browser_session_id, browser_address and
// the workflow_run_id of the session's previous AI action).
func browserAI(ctx context.Context, c *call, sessionID string, a client.SDKAction) (*BrowserAIResult, error) {
	return withPage(ctx, c, sessionID, func(conn *cdp.Conn) (*BrowserAIResult, error) {
		p, err := cdp.Info(ctx, conn)
		if err != nil {
			return nil, err
		}
		res, err := c.client.RunSDKAction(ctx, &client.RunSDKActionRequest{URL: p.URL, BrowserSessionID: sessionID,
			BrowserAddress: conn.Address(), WorkflowRunID: conn.WorkflowRunID, Action: a})
		if err != nil {
			return nil, err
		}
		conn.WorkflowRunID = res.WorkflowRunID
		v, err := decodeAny(res.Result)
		if err != nil {
			return nil, err
		}
		return &BrowserAIResult{WorkflowRunID: res.WorkflowRunID, Result: v}, nil
	})
}

// snapshotPage cuts a snapshot into pages of at most maxChars characters
// on line boundaries and returns page n (1-based).
func snapshotPage(s *cdp.Snapshot, n, maxChars int) (*BrowserSnapshotResult, error) {
	if maxChars <= 0 {
		maxChars = DefaultSnapshotChars
	}
	if n <= 0 {
		n = 1
	}
	var pages []string
	var b strings.Builder
	for _, l := range s.Lines {
		if len(l) > maxChars {
			l = truncateUTF8(l, maxChars-1)
		}
		if b.Len() > 0 && b.Len()+1+len(l) > maxChars {
			pages = append(pages, b.String())
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
	}
	if b.Len() > 0 || len(pages) == 0 {
		pages = append(pages, b.String())
	}
	if s.Cut {
		pages[len(pages)-1] += fmt.Sprintf("\n[the page has more than %d lines; the rest is not shown]", MaxSnapshotLines)
	}
	if n > len(pages) {
		return nil, fmt.Errorf("invalid arguments: page %d is past the last page (%d)", n, len(pages))
	}
	return &BrowserSnapshotResult{URL: s.URL, Title: s.Title, Snapshot: pages[n-1], Page: n, Pages: len(pages)}, nil
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
