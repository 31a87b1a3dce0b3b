package sandbox

import (
	"container/list"
	"context"
	"crypto/sha256"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultMaxKeys is how many API keys a Multi keeps a sandbox for when
// NewMulti is given no bound.
const DefaultMaxKeys = 1000

// Multi is an http.Handler that keeps one sandbox Server per x-api-key, so
// that callers with different keys never see each other's runs, workflows,
// sessions, profiles or credentials, as with separate Skyvern organizations.
// A request without a key is served by a default sandbox of its own.
//
// At most maxKeys keyed sandboxes are kept; when a new key arrives beyond
// that, the sandbox of the least recently used key is forgotten with all its
// state. Keys are held only as SHA-256 digests.
//
// Requests that carry no key but name an object (the /app/ pages, and
// artifact content fetched through a signed URL's ?token=) go to the sandbox
// that holds that object, so that app_url and signed_url links work as they
// do with a single sandbox.
type Multi struct {
	opts    Options
	maxKeys int
	def     *Server

	mu    sync.Mutex
	byKey map[[sha256.Size]byte]*list.Element // of *partition
	lru   *list.List                          // front: most recently used
}

type partition struct {
	digest [sha256.Size]byte
	srv    *Server
}

// NewMulti returns a Multi whose sandboxes are made with opts (opts.APIKey
// is ignored: every key is accepted and gets its own sandbox). maxKeys <= 0
// means DefaultMaxKeys.
func NewMulti(opts Options, maxKeys int) *Multi {
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	opts.APIKey = ""
	return &Multi{opts: opts, maxKeys: maxKeys, def: New(opts),
		byKey: map[[sha256.Size]byte]*list.Element{}, lru: list.New()}
}

// Partition returns the sandbox that serves key, creating it when needed
// ("" is the default sandbox, for requests without a key). Tests use it to
// inject faults or count calls for one caller.
func (m *Multi) Partition(key string) *Server {
	if key == "" {
		return m.def
	}
	d := sha256.Sum256([]byte(key))
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.byKey[d]; ok {
		m.lru.MoveToFront(e)
		return e.Value.(*partition).srv
	}
	p := &partition{digest: d, srv: New(m.opts)}
	m.byKey[d] = m.lru.PushFront(p)
	for m.lru.Len() > m.maxKeys {
		old := m.lru.Back()
		m.lru.Remove(old)
		delete(m.byKey, old.Value.(*partition).digest)
		go old.Value.(*partition).srv.CloseBrowsers()
	}
	return p.srv
}

// CloseBrowsers closes the real browsers of every sandbox.
func (m *Multi) CloseBrowsers() {
	m.def.CloseBrowsers()
	m.mu.Lock()
	var srvs []*Server
	for e := m.lru.Front(); e != nil; e = e.Next() {
		srvs = append(srvs, e.Value.(*partition).srv)
	}
	m.mu.Unlock()
	for _, s := range srvs {
		s.CloseBrowsers()
	}
}

// Keys is how many keyed sandboxes are held (the default one not counted).
func (m *Multi) Keys() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Len()
}

// ServeHTTP serves r with the sandbox of its x-api-key.
func (m *Multi) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if key := r.Header.Get("x-api-key"); key != "" {
		m.Partition(key).ServeHTTP(w, r)
		return
	}
	m.ownerOf(r).ServeHTTP(w, r)
}

// ownerOf is the sandbox that holds the object a keyless request names, or
// the default sandbox.
func (m *Multi) ownerOf(r *http.Request) *Server {
	has := objectLookup(r)
	if has == nil || has(m.def) {
		return m.def
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for e := m.lru.Front(); e != nil; e = e.Next() {
		if srv := e.Value.(*partition).srv; has(srv) {
			return srv
		}
	}
	return m.def
}

// objectLookup returns a test for "this sandbox holds the object r names"
// when r is a keyless request that names one, else nil.
func objectLookup(r *http.Request) func(*Server) bool {
	p := r.URL.Path
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return nil
	}
	if id, ok := strings.CutPrefix(p, "/app/runs/"); ok && id != "" && !strings.Contains(id, "/") {
		return func(s *Server) bool { return s.holds(func() bool { return s.runs[id] != nil }) }
	}
	if id, ok := strings.CutPrefix(p, "/app/browser_sessions/"); ok && id != "" && !strings.Contains(id, "/") {
		return func(s *Server) bool { return s.holds(func() bool { return s.sessions[id] != nil }) }
	}
	if rest, ok := strings.CutPrefix(p, "/v1/artifacts/"); ok && r.URL.Query().Get("token") != "" {
		if id, ok := strings.CutSuffix(rest, "/content"); ok && id != "" && !strings.Contains(id, "/") {
			return func(s *Server) bool { return s.holds(func() bool { return s.artifacts[id] != nil }) }
		}
	}
	return nil
}

// holds runs a lookup under s.mu.
func (s *Server) holds(f func() bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return f()
}

// Listen serves m on a real TCP listener at addr (for example
// "127.0.0.1:0") and returns its base URL (http://host:port, without /v1)
// and a function that shuts the server down.
func (m *Multi) Listen(addr string) (baseURL string, shutdown func(context.Context) error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: m, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), srv.Shutdown, nil
}
