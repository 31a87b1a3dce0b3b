package cdp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig of JPEG screenshots
	_ "image/png"  // DecodeConfig of PNG screenshots
	"strings"
	"time"

	cdpb "github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Element addresses an element: by Ref (from a snapshot, e.g. "e12") or,
// when Ref is empty, by a CSS selector (searched in the page, then in its
// same-origin iframes).
type Element struct {
	Ref, Selector string
}

func (e Element) String() string {
	if e.Ref != "" {
		return "ref " + e.Ref
	}
	return "selector " + e.Selector
}

// PageInfo is the current page's URL and title.
type PageInfo struct {
	URL   string `json:"url"`
	Title string `json:"title"`
}

// jsResult is what a helper returns: an error text, or fields.
type jsResult struct {
	Error  string   `json:"error"`
	X      float64  `json:"x"`
	Y      float64  `json:"y"`
	Left   float64  `json:"left"`
	Top    float64  `json:"top"`
	Width  float64  `json:"width"`
	Height float64  `json:"height"`
	SX     float64  `json:"sx"`
	SY     float64  `json:"sy"`
	Chosen []string `json:"selected"`
}

func evalJS[T any](ctx context.Context, c *Conn, expr string) (T, error) {
	return run(ctx, c, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

func helper(ctx context.Context, c *Conn, fn string, args ...any) (*jsResult, error) {
	raw, err := evalJS[[]byte](ctx, c, call(fn, args...))
	if err != nil {
		return nil, err
	}
	var r jsResult
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("page helper %s: %v", fn, err)
	}
	if r.Error != "" {
		return nil, errors.New(r.Error)
	}
	return &r, nil
}

// Info returns the current page's URL and title.
func Info(ctx context.Context, c *Conn) (PageInfo, error) {
	return evalJS[PageInfo](ctx, c, `({url: location.href, title: document.title})`)
}

// navGrace is how long an action that may navigate (click, Enter, back)
// waits for a navigation to start before returning.
const navGrace = 60 * time.Millisecond

// watchNav starts watching the current page's main frame for a navigation
// before an action; settle, after it, waits (at most 10 s, or until ctx
// ends) for a navigation that started to finish loading, and returns the
// page's URL and title.
func watchNav(ctx context.Context, c *Conn) (settle func() (PageInfo, error)) {
	wctx, cancel, err := c.ctx(ctx)
	if err != nil {
		return func() (PageInfo, error) { return PageInfo{}, err }
	}
	main := cdpb.FrameID(c.pageID)
	started, stopped := make(chan struct{}), make(chan struct{})
	starts := chromedp.Events(wctx, page.FrameStartedLoading)
	stops := chromedp.Events(wctx, page.FrameStoppedLoading)
	go func() {
		for ev, err := range starts {
			if err != nil {
				return
			}
			if ev.FrameID == main {
				close(started)
				return
			}
		}
	}()
	go func() {
		for ev, err := range stops {
			if err != nil {
				return
			}
			if ev.FrameID == main {
				select {
				case <-started:
					close(stopped)
					return
				default:
				}
			}
		}
	}()
	return func() (PageInfo, error) {
		defer cancel()
		grace := time.NewTimer(navGrace)
		defer grace.Stop()
		select {
		case <-started:
			limit := time.NewTimer(10 * time.Second)
			defer limit.Stop()
			select {
			case <-stopped:
			case <-limit.C:
			case <-ctx.Done():
				stopLoading(c)
				return PageInfo{}, ctx.Err()
			}
		case <-grace.C:
		case <-ctx.Done():
			return PageInfo{}, ctx.Err()
		}
		return Info(ctx, c)
	}
}

// WaitUntil is when Navigate returns.
type WaitUntil string

// Navigate's wait conditions.
const (
	WaitLoad             WaitUntil = "load"
	WaitDOMContentLoaded WaitUntil = "domcontentloaded"
	WaitNetworkIdle      WaitUntil = "networkidle"
)

// Navigate loads url in the current page and waits for until (load by
// default). When ctx ends first, the page stops loading.
func Navigate(ctx context.Context, c *Conn, url string, until WaitUntil) (PageInfo, error) {
	var err error
	switch until {
	case WaitDOMContentLoaded:
		_, err = run(ctx, c, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			res, err := cdpb.Call(ctx, t, page.Navigate, page.NavigateParams{URL: url})
			if err == nil && res.ErrorText != "" {
				err = fmt.Errorf("page load error %s", res.ErrorText)
			}
			return chromedp.Void{}, err
		})
		for err == nil {
			var st string
			if st, err = evalJS[string](ctx, c, `document.readyState`); err == nil && st != "loading" {
				break
			}
			err = sleep(ctx, 20*time.Millisecond)
		}
	default:
		_, err = run(ctx, c, chromedp.Navigate(url))
		if err == nil && until == WaitNetworkIdle {
			err = networkIdle(ctx, c)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			stopLoading(c)
			return PageInfo{}, ctx.Err()
		}
		return PageInfo{}, err
	}
	return Info(ctx, c)
}

// networkIdle waits until no resource has started loading for 500 ms.
func networkIdle(ctx context.Context, c *Conn) error {
	last, since := -1, time.Now()
	for {
		n, err := evalJS[int](ctx, c, `performance.getEntriesByType('resource').length`)
		if err != nil {
			return err
		}
		if n != last {
			last, since = n, time.Now()
		} else if time.Since(since) >= 500*time.Millisecond {
			return nil
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

func stopLoading(c *Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, _ = run(ctx, c, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdpb.Call(ctx, t, page.StopLoading, cdpb.Empty{})
		return chromedp.Void{}, err
	})
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// WaitLoaded waits (until ctx ends) until the current page is a loaded
// document other than about:blank.
func WaitLoaded(ctx context.Context, c *Conn) error {
	for {
		ok, err := evalJS[bool](ctx, c, `location.href !== 'about:blank' && document.readyState === 'complete'`)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil && ok {
			return nil
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
}

// Snapshot is the page as lines of text: headings and text, and the
// interactive elements with their refs (e.g. `- button "Send" [ref=e3]`).
type Snapshot struct {
	PageInfo
	Lines []string
	// Cut is set when the page had more than the lines asked for.
	Cut bool
}

// TakeSnapshot walks the visible page (and its same-origin iframes) into at
// most maxLines lines. Refs stay the same for an element as long as it is
// in the page.
func TakeSnapshot(ctx context.Context, c *Conn, maxLines int) (*Snapshot, error) {
	var raw struct {
		URL   string   `json:"url"`
		Title string   `json:"title"`
		Lines []string `json:"lines"`
		Cut   bool     `json:"cut"`
	}
	b, err := evalJS[[]byte](ctx, c, call("snapshot", maxLines))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	return &Snapshot{PageInfo: PageInfo{URL: raw.URL, Title: raw.Title}, Lines: raw.Lines, Cut: raw.Cut}, nil
}

// Click scrolls the element into view and clicks its centre with the mouse
// (real input events), then waits for a page it may load.
func Click(ctx context.Context, c *Conn, el Element) (PageInfo, error) {
	b, err := helper(ctx, c, "box", el.Ref, el.Selector)
	if err != nil {
		return PageInfo{}, err
	}
	settle := watchNav(ctx, c)
	if _, err := run(ctx, c, chromedp.MouseClickXY(b.X, b.Y)); err != nil {
		_, _ = settle()
		return PageInfo{}, err
	}
	return settle()
}

// Hover moves the mouse over the element's centre.
func Hover(ctx context.Context, c *Conn, el Element) error {
	b, err := helper(ctx, c, "box", el.Ref, el.Selector)
	if err != nil {
		return err
	}
	_, err = run(ctx, c, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, b.X, b.Y))
	return err
}

// Type focuses the element, empties it when clear is set, inserts text as
// the keyboard would, and presses Enter when submit is set.
func Type(ctx context.Context, c *Conn, el Element, text string, clear, submit bool) (PageInfo, error) {
	if _, err := helper(ctx, c, "focus", el.Ref, el.Selector, clear); err != nil {
		return PageInfo{}, err
	}
	if text != "" {
		if _, err := run(ctx, c, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			_, err := cdpb.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
			return chromedp.Void{}, err
		}); err != nil {
			return PageInfo{}, err
		}
	}
	if submit {
		settle := watchNav(ctx, c)
		if _, err := run(ctx, c, chromedp.KeyEvent(kb.Enter)); err != nil {
			_, _ = settle()
			return PageInfo{}, err
		}
		return settle()
	}
	return Info(ctx, c)
}

// SelectOption picks the options whose value or visible text equals one of
// values (case-insensitive) in a <select>, firing input and change, and
// returns the values chosen.
func SelectOption(ctx context.Context, c *Conn, el Element, values []string) ([]string, error) {
	r, err := helper(ctx, c, "select", el.Ref, el.Selector, values)
	if err != nil {
		return nil, err
	}
	return r.Chosen, nil
}

// keyNames maps key names to chromedp's key codes.
var keyNames = map[string]string{
	"enter": kb.Enter, "tab": kb.Tab, "escape": kb.Escape, "esc": kb.Escape, "backspace": kb.Backspace,
	"delete": kb.Delete, "arrowup": kb.ArrowUp, "arrowdown": kb.ArrowDown, "arrowleft": kb.ArrowLeft,
	"arrowright": kb.ArrowRight, "home": kb.Home, "end": kb.End, "pageup": kb.PageUp, "pagedown": kb.PageDown,
	"space": " ",
}

// PressKey presses one key in the focused element: a name (Enter, Tab,
// Escape, Backspace, Delete, ArrowUp/Down/Left/Right, Home, End, PageUp,
// PageDown, Space) or a single character.
func PressKey(ctx context.Context, c *Conn, key string) (PageInfo, error) {
	k, ok := keyNames[strings.ToLower(key)]
	if !ok {
		if len([]rune(key)) != 1 {
			return PageInfo{}, fmt.Errorf("key %q is not a key name (Enter, Tab, Escape, Backspace, Delete, ArrowUp, ArrowDown, ArrowLeft, ArrowRight, Home, End, PageUp, PageDown, Space) or one character", key)
		}
		k = key
	}
	settle := watchNav(ctx, c)
	if _, err := run(ctx, c, chromedp.KeyEvent(k)); err != nil {
		_, _ = settle()
		return PageInfo{}, err
	}
	return settle()
}

// Scroll scrolls the element into view, or (without one) the page by dx,
// dy CSS pixels, and returns the page's scroll position.
func Scroll(ctx context.Context, c *Conn, el Element, dx, dy float64) (x, y float64, err error) {
	raw, err := evalJS[[]byte](ctx, c, call("scroll", el.Ref, el.Selector, dx, dy))
	if err != nil {
		return 0, 0, err
	}
	var r struct {
		Error string  `json:"error"`
		X     float64 `json:"x"`
		Y     float64 `json:"y"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return 0, 0, err
	}
	if r.Error != "" {
		return 0, 0, errors.New(r.Error)
	}
	return r.X, r.Y, nil
}

// WaitFor waits until a visible element matches selector, or the page's
// text contains text, polling every 100 ms, until ctx ends.
func WaitFor(ctx context.Context, c *Conn, selector, text string) error {
	for {
		ok, err := evalJS[bool](ctx, c, call("waitCheck", selector, text))
		if err != nil && ctx.Err() == nil {
			// A navigation in between: try again.
			ok = false
		}
		if ok {
			return nil
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

// EvaluateJSON runs expr (awaiting a promise) and returns its value as
// JSON.
func EvaluateJSON(ctx context.Context, c *Conn, expr string) ([]byte, error) {
	return evalJS[[]byte](ctx, c, expr)
}

// Text is the visible text of the page and its same-origin iframes.
func Text(ctx context.Context, c *Conn) (string, error) {
	return evalJS[string](ctx, c, call("text"))
}

// ShotKind is what a screenshot shows.
type ShotKind string

// Screenshot kinds.
const (
	ShotViewport ShotKind = "viewport"
	ShotFullPage ShotKind = "full_page"
	ShotElement  ShotKind = "element"
)

// Shot is an encoded screenshot.
type Shot struct {
	Data          []byte
	MIMEType      string
	Width, Height int
}

// Screenshot captures the viewport, the full page or an element, as PNG,
// or as JPEG (quality 1-100) when quality > 0. When the PNG is larger than
// maxBytes it is taken again as JPEG at falling qualities (80, 60, 40, 25);
// an image that still does not fit is an error.
func Screenshot(ctx context.Context, c *Conn, kind ShotKind, el Element, quality, maxBytes int) (*Shot, error) {
	var clip *page.Viewport
	if kind == ShotElement {
		b, err := helper(ctx, c, "box", el.Ref, el.Selector)
		if err != nil {
			return nil, err
		}
		if b.Width < 1 || b.Height < 1 {
			return nil, fmt.Errorf("the element %s has no size to capture", el)
		}
		clip = &page.Viewport{X: b.Left + b.SX, Y: b.Top + b.SY, Width: b.Width, Height: b.Height, Scale: 1}
	}
	take := func(q int) ([]byte, error) {
		return run(ctx, c, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
			p := page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng, Clip: clip}
			if q > 0 {
				qq := int64(q)
				p.Format, p.Quality = page.CaptureScreenshotFormatJpeg, &qq
			}
			if kind == ShotFullPage {
				beyond := true
				p.CaptureBeyondViewport = &beyond
				m, err := cdpb.Call(ctx, t, page.GetLayoutMetrics, cdpb.Empty{})
				if err != nil {
					return nil, err
				}
				if cs := m.CSSContentSize; cs != nil {
					p.Clip = &page.Viewport{Width: cs.Width, Height: min(cs.Height, 16384), Scale: 1}
				}
			}
			r, err := cdpb.Call(ctx, t, page.CaptureScreenshot, p)
			return r.Data, err
		})
	}
	tries := []int{quality}
	if quality <= 0 {
		tries = []int{0, 80, 60, 40, 25}
	}
	var data []byte
	var err error
	for _, q := range tries {
		if data, err = take(q); err != nil {
			return nil, err
		}
		if maxBytes <= 0 || len(data) <= maxBytes {
			cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				return nil, fmt.Errorf("the screenshot is not an image: %v", err)
			}
			return &Shot{Data: data, MIMEType: "image/" + format, Width: cfg.Width, Height: cfg.Height}, nil
		}
	}
	return nil, fmt.Errorf("the screenshot takes %d bytes, more than the %d allowed: capture the viewport or an element instead", len(data), maxBytes)
}

// Evaluate runs a JavaScript expression in the page (awaiting a promise)
// and returns its value as JSON ("null" for undefined).
func Evaluate(ctx context.Context, c *Conn, expr string) (json.RawMessage, error) {
	b, err := evalJS[[]byte](ctx, c, expr)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return json.RawMessage("null"), nil
	}
	return json.RawMessage(b), nil
}

// Back goes one page back in the tab's history and waits (at most 10 s)
// for that page.
func Back(ctx context.Context, c *Conn) (PageInfo, error) { return historyStep(ctx, c, -1) }

// Forward goes one page forward in the tab's history.
func Forward(ctx context.Context, c *Conn) (PageInfo, error) { return historyStep(ctx, c, 1) }

// historyStep moves by delta in the history. A page restored from the
// back-forward cache fires no load event, so it waits until the page shows
// the entry's URL and has loaded.
func historyStep(ctx context.Context, c *Conn, delta int) (PageInfo, error) {
	h, err := run(ctx, c, func(ctx context.Context, t *chromedp.Target) (*page.GetNavigationHistoryResult, error) {
		r, err := cdpb.Call(ctx, t, page.GetNavigationHistory, cdpb.Empty{})
		return &r, err
	})
	if err != nil {
		return PageInfo{}, err
	}
	i := int(h.CurrentIndex) + delta
	if i < 0 || i >= len(h.Entries) {
		dir := "back"
		if delta > 0 {
			dir = "forward"
		}
		return PageInfo{}, fmt.Errorf("there is no page to go %s to in this tab's history", dir)
	}
	e := h.Entries[i]
	if _, err := run(ctx, c, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdpb.Call(ctx, t, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: e.ID})
		return chromedp.Void{}, err
	}); err != nil {
		return PageInfo{}, err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := evalJS[struct {
			URL   string `json:"url"`
			Title string `json:"title"`
			Ready string `json:"ready"`
		}](ctx, c, `({url: location.href, title: document.title, ready: document.readyState})`)
		if ctx.Err() != nil {
			return PageInfo{}, ctx.Err()
		}
		if err == nil && st.URL == e.URL && st.Ready == "complete" {
			return PageInfo{URL: st.URL, Title: st.Title}, nil
		}
		if time.Now().After(deadline) {
			return Info(ctx, c)
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return PageInfo{}, err
		}
	}
}

// Tab is one page of the browser.
type Tab struct {
	ID      string `json:"id"`
	URL     string `json:"url"`
	Title   string `json:"title"`
	Current bool   `json:"current"`
}

// Tabs lists the browser's pages; Current marks the one the connection
// acts on.
func Tabs(ctx context.Context, c *Conn) ([]Tab, error) {
	if !c.alive() {
		return nil, ErrClosed
	}
	infos, err := chromedp.Targets(c.root)
	if err != nil {
		return nil, err
	}
	var out []Tab
	for _, t := range pages(infos) {
		out = append(out, Tab{ID: string(t.TargetID), URL: t.URL, Title: t.Title, Current: t.TargetID == c.pageID})
	}
	return out, nil
}

// OpenTab opens url ("" for about:blank) in a new tab and makes it current.
func OpenTab(ctx context.Context, c *Conn, url string) (Tab, error) {
	if url == "" {
		url = "about:blank"
	}
	res, err := chromedp.CallBrowser(c.root, target.CreateTarget, target.CreateTargetParams{URL: url})
	if err != nil {
		return Tab{}, err
	}
	if err := c.attach(res.TargetID); err != nil {
		return Tab{}, err
	}
	info, err := Info(ctx, c)
	return Tab{ID: string(res.TargetID), URL: info.URL, Title: info.Title, Current: true}, err
}

// SwitchTab makes the tab with id current (and brings it to front).
func SwitchTab(ctx context.Context, c *Conn, id string) error {
	if !c.hasTab(id) {
		return fmt.Errorf("no tab has the id %s: list the tabs with action list", id)
	}
	if err := c.attach(target.ID(id)); err != nil {
		return err
	}
	_, _ = chromedp.CallBrowser(c.root, target.ActivateTarget, target.ActivateTargetParams{TargetID: target.ID(id)})
	return nil
}

// CloseTab closes the tab with id; when it was current, the first tab left
// becomes current.
func CloseTab(ctx context.Context, c *Conn, id string) error {
	if !c.hasTab(id) {
		return fmt.Errorf("no tab has the id %s: list the tabs with action list", id)
	}
	if _, err := chromedp.CallBrowser(c.root, target.CloseTarget, target.CloseTargetParams{TargetID: target.ID(id)}); err != nil {
		return err
	}
	if target.ID(id) != c.pageID {
		return nil
	}
	for i := 0; i < 50; i++ {
		infos, err := chromedp.Targets(c.root)
		if err != nil {
			return err
		}
		for _, t := range pages(infos) {
			if t.TargetID != target.ID(id) {
				return c.attach(t.TargetID)
			}
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
	// The last tab closed: open a blank one so that the session goes on.
	_, err := OpenTab(ctx, c, "")
	return err
}

func (c *Conn) hasTab(id string) bool {
	infos, err := chromedp.Targets(c.root)
	if err != nil {
		return false
	}
	for _, t := range pages(infos) {
		if string(t.TargetID) == id {
			return true
		}
	}
	return false
}
