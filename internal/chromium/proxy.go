package chromium

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ServeCDP serves the browser's DevTools endpoints under prefix (a path
// such as /cdp/pbs_123, without a trailing slash): GET prefix/json/version
// (its webSocketDebuggerUrl pointing back through the proxy, on the
// request's own host) and the WebSocket upgrade of prefix/devtools/...,
// relayed to the browser. It does no authentication: the caller checks
// the x-api-key first. The x-api-key header is not passed to the browser.
func (b *Browser) ServeCDP(w http.ResponseWriter, r *http.Request, prefix string) {
	rest := strings.TrimPrefix(r.URL.Path, prefix)
	upstream := "127.0.0.1:" + strconv.Itoa(b.Port)
	switch {
	case rest == "/json/version" || rest == "/json/version/":
		b.serveVersion(w, r, prefix, upstream)
	case strings.HasPrefix(rest, "/devtools/"):
		rp := &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.Out.URL.Scheme, pr.Out.URL.Host, pr.Out.URL.Path, pr.Out.URL.RawPath = "http", upstream, rest, ""
				pr.Out.Host = upstream
				pr.Out.Header.Del("x-api-key")
				pr.Out.Header.Del("Origin")
			},
			ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
				writeDetail(w, http.StatusBadGateway, "the browser did not answer: "+err.Error())
			},
		}
		rp.ServeHTTP(w, r)
	default:
		writeDetail(w, http.StatusNotFound, "no such DevTools endpoint: "+rest)
	}
}

func (b *Browser) serveVersion(w http.ResponseWriter, r *http.Request, prefix, upstream string) {
	hc := &http.Client{Timeout: 10 * time.Second}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "http://"+upstream+"/json/version", nil)
	if err != nil {
		writeDetail(w, http.StatusInternalServerError, err.Error())
		return
	}
	resp, err := hc.Do(req)
	if err != nil {
		writeDetail(w, http.StatusBadGateway, "the browser did not answer: "+err.Error())
		return
	}
	defer resp.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&v); err != nil {
		writeDetail(w, http.StatusBadGateway, "the browser's /json/version is not JSON: "+err.Error())
		return
	}
	if ws, _ := v["webSocketDebuggerUrl"].(string); ws != "" {
		u, err := url.Parse(ws)
		if err == nil {
			scheme := "ws"
			if r.TLS != nil {
				scheme = "wss"
			}
			v["webSocketDebuggerUrl"] = fmt.Sprintf("%s://%s%s%s", scheme, r.Host, prefix, u.Path)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeDetail(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"detail": detail})
}
