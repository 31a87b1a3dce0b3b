package shared

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/server"
	"github.com/redis/go-redis/v9"
)

// EventStore is mcp-go's server.EventStore on Redis: the events of session
// S are the entries of the Redis stream <prefix>ev:S, each {s: stream ID,
// m: message}; the event ID is the entry's ID. At most MaxEventsPerSession
// are kept; the key expires with the session.
type EventStore struct{ s *Store }

var _ server.EventStore = EventStore{}

// EventStore returns the store's EventStore.
func (s *Store) EventStore() EventStore { return EventStore{s} }

// StoreEvent appends message to the session's events.
func (e EventStore) StoreEvent(ctx context.Context, sessionID, streamID string, message json.RawMessage) (string, error) {
	k := e.s.key("ev", sessionID)
	var add *redis.StringCmd
	_, err := e.s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		add = p.XAdd(ctx, &redis.XAddArgs{Stream: k, MaxLen: MaxEventsPerSession, Values: []any{"s", streamID, "m", string(message)}})
		p.PExpire(ctx, k, e.s.ttl)
		return nil
	})
	if err != nil {
		return "", err
	}
	return add.Val(), nil
}

// ReplayEventsAfter sends the events of lastEventID's stream recorded after
// it, oldest first.
func (e EventStore) ReplayEventsAfter(ctx context.Context, sessionID, lastEventID string, send func(eventID string, message json.RawMessage) error) (string, error) {
	if lastEventID == "" || strings.ContainsAny(lastEventID, " \r\n") {
		return "", fmt.Errorf("%w: %q", server.ErrUnknownEventID, lastEventID)
	}
	k := e.s.key("ev", sessionID)
	first, err := e.s.rdb.XRange(ctx, k, lastEventID, lastEventID).Result()
	if err != nil {
		if strings.Contains(err.Error(), "Invalid stream ID") {
			return "", fmt.Errorf("%w: %q", server.ErrUnknownEventID, lastEventID)
		}
		return "", err
	}
	if len(first) == 0 {
		return "", fmt.Errorf("%w: %q", server.ErrUnknownEventID, lastEventID)
	}
	stream, _ := first[0].Values["s"].(string)
	start := "(" + lastEventID
	for {
		batch, err := e.s.rdb.XRangeN(ctx, k, start, "+", 200).Result()
		if err != nil {
			return "", err
		}
		for _, m := range batch {
			if sid, _ := m.Values["s"].(string); sid == stream {
				msg, _ := m.Values["m"].(string)
				if err := send(m.ID, json.RawMessage(msg)); err != nil {
					return stream, err
				}
			}
			start = "(" + m.ID
		}
		if len(batch) < 200 {
			return stream, nil
		}
	}
}

// PurgeSession drops the session's events once the session is gone
// everywhere. mcp-go also calls it when this replica's copy of a session
// idles out while the session lives on through other replicas: then the
// events stay (and expire with the session).
func (e EventStore) PurgeSession(ctx context.Context, sessionID string) error {
	live, err := e.s.SessionExists(ctx, sessionID)
	if err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	if live {
		return nil
	}
	return e.s.rdb.Del(ctx, e.s.key("ev", sessionID)).Err()
}
