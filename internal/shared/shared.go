// Package shared keeps the state of a streamable HTTP server in Redis, so
// that several replicas behind a plain round-robin balancer behave as one
// server (--redis-url):
//
//   - sessions: one key per session holding the hashed caller, expiring
//     after the session idle TTL (refreshed by each request); a DELETE on
//     any replica removes it and tells the others (pub/sub), which drop
//     their local state and close the session's streams;
//   - stream events (EventStore): one Redis stream per session, at most
//     MaxEventsPerSession entries, expiring with the session, so a client
//     resumes an SSE stream with Last-Event-ID on any replica;
//   - MCP tasks: one hash per task (status, status message, run ID, final
//     result) plus a per-session index; tasks/get, tasks/list, tasks/result
//     and tasks/cancel are answered from Redis on whichever replica gets
//     them. The replica running a task holds a lease on it; when the lease
//     lapses (the replica died), the next replica asked about the task
//     takes it over and follows the Skyvern run to its end. A run is never
//     started twice: a task whose run ID was not recorded fails instead;
//   - notifications for a session (resources/updated) are published and
//     delivered by the replica holding the session's GET stream.
//
// Nothing secret is stored: callers are kept as SHA-256 digests of their
// key, Skyvern keys and tokens never leave the process, and results are the
// tool results already redacted for the client. Every key is under the
// prefix (default "skyvern-mcp:") and expires.
package shared

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
)

// Defaults.
const (
	// DefaultPrefix namespaces every key and channel.
	DefaultPrefix = "skyvern-mcp:"
	// MaxEventsPerSession bounds the events kept for resumption, per
	// session (older ones are dropped first).
	MaxEventsPerSession = 1000
	// DefaultTaskTTL is how long a task's record is kept when the task has
	// no TTL of its own.
	DefaultTaskTTL = 24 * time.Hour
	// LeaseTTL is how long a replica's hold on a running task lasts unless
	// renewed (every LeaseTTL/3): the longest a dead replica's task waits
	// before another may take it over.
	LeaseTTL = 3 * time.Second
)

// Options configure a Store.
type Options struct {
	// URL is the Redis URL (redis://[user:password@]host:port/db, rediss://
	// for TLS).
	URL string
	// Prefix overrides DefaultPrefix.
	Prefix string
	// SessionTTL is how long an idle session lives (the server's session
	// idle TTL); its events expire with it.
	SessionTTL time.Duration
	// Log receives the store's own lines (never a key or a token).
	Log zerolog.Logger
}

// Store is the shared state of one replica's server. Create it with Open,
// Close it at exit.
type Store struct {
	rdb     *redis.Client
	prefix  string
	ttl     time.Duration
	replica string
	log     zerolog.Logger

	mu        sync.Mutex
	listeners []func(Message)
	cancel    context.CancelFunc
	done      chan struct{}

	tasks *Tasks
}

// Open connects to Redis (checking it answers within 5 s) and starts the
// pub/sub listener.
func Open(ctx context.Context, o Options) (*Store, error) {
	ropts, err := redis.ParseURL(o.URL)
	if err != nil {
		// The URL may carry a password: never echo it.
		return nil, errors.New("--redis-url: expected redis://[user:password@]host:port[/db] or rediss://host:port (TLS)")
	}
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 30 * time.Minute
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	s := &Store{rdb: redis.NewClient(ropts), prefix: o.Prefix, ttl: o.SessionTTL, replica: hex.EncodeToString(b), log: o.Log}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.rdb.Ping(pctx).Err(); err != nil {
		_ = s.rdb.Close()
		return nil, fmt.Errorf("--redis-url: Redis at %s does not answer: %v", ropts.Addr, err)
	}
	lctx, lcancel := context.WithCancel(context.Background())
	s.cancel, s.done = lcancel, make(chan struct{})
	sub := s.rdb.Subscribe(lctx, s.channel())
	if _, err := sub.Receive(pctx); err != nil {
		lcancel()
		_ = s.rdb.Close()
		return nil, fmt.Errorf("--redis-url: subscribing: %v", err)
	}
	go s.listen(lctx, sub)
	return s, nil
}

// Close stops the listener and closes the connections.
func (s *Store) Close() error {
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	return s.rdb.Close()
}

// Replica is this replica's random ID (leases name it).
func (s *Store) Replica() string { return s.replica }

// Redis is the client (tests, benchmarks).
func (s *Store) Redis() *redis.Client { return s.rdb }

func (s *Store) key(parts ...string) string { return s.prefix + strings.Join(parts, ":") }

func (s *Store) channel() string { return s.prefix + "bus" }

// CallerHash is how a caller is kept in Redis: the SHA-256 of its key
// (domain-separated, 32 hex digits), "-" for none. Keys are long random
// strings, so the digest cannot be turned back into the key.
func CallerHash(key string) string {
	if key == "" {
		return "-"
	}
	sum := sha256.Sum256([]byte("skyvern-mcp caller v1\x00" + key))
	return hex.EncodeToString(sum[:16])
}

// Message is one pub/sub message between replicas.
type Message struct {
	// Kind is "deleted" (a session ended), "notify" (a notification for a
	// session) or "cancel" (a task was cancelled).
	Kind    string          `json:"k"`
	Session string          `json:"s,omitempty"`
	Task    string          `json:"t,omitempty"`
	Method  string          `json:"m,omitempty"`
	Params  json.RawMessage `json:"p,omitempty"`
	From    string          `json:"f,omitempty"`
}

// OnMessage registers f for every message published by any replica (this
// one included).
func (s *Store) OnMessage(f func(Message)) {
	s.mu.Lock()
	s.listeners = append(s.listeners, f)
	s.mu.Unlock()
}

func (s *Store) publish(ctx context.Context, m Message) error {
	m.From = s.replica
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return s.rdb.Publish(ctx, s.channel(), b).Err()
}

func (s *Store) listen(ctx context.Context, sub *redis.PubSub) {
	defer close(s.done)
	defer func() { _ = sub.Close() }()
	ch := sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case msg, ok := <-ch:
			if !ok {
				return
			}
			var m Message
			if json.Unmarshal([]byte(msg.Payload), &m) != nil {
				continue
			}
			s.mu.Lock()
			ls := append([]func(Message){}, s.listeners...)
			s.mu.Unlock()
			for _, f := range ls {
				f(m)
			}
		}
	}
}

// Notify publishes a notification for a session; the replica holding the
// session's GET stream delivers it.
func (s *Store) Notify(ctx context.Context, sessionID, method string, params any) error {
	b, err := json.Marshal(params)
	if err != nil {
		return err
	}
	return s.publish(ctx, Message{Kind: "notify", Session: sessionID, Method: method, Params: b})
}
