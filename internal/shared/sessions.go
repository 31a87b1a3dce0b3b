package shared

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// Session keys: <prefix>s:<session ID>, a hash {c: caller hash}, expiring
// after the session idle TTL.

// CreateSession records a new session of the caller (a CallerHash).
func (s *Store) CreateSession(ctx context.Context, id, caller string) error {
	k := s.key("s", id)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, k, "c", caller)
		p.PExpire(ctx, k, s.ttl)
		return nil
	})
	return err
}

// TouchSession reports whether session id is live and belongs to caller,
// and restarts its idle TTL when it does.
func (s *Store) TouchSession(ctx context.Context, id, caller string) (bool, error) {
	k := s.key("s", id)
	var get *redis.StringCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		get = p.HGet(ctx, k, "c")
		p.PExpire(ctx, k, s.ttl)
		p.PExpire(ctx, s.key("ev", id), s.ttl)
		return nil
	})
	got, gerr := get.Result()
	if errors.Is(gerr, redis.Nil) {
		return false, nil
	}
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, err
	}
	return got == caller, nil
}

// SessionExists reports whether session id is live (any caller).
func (s *Store) SessionExists(ctx context.Context, id string) (bool, error) {
	n, err := s.rdb.Exists(ctx, s.key("s", id)).Result()
	return n > 0, err
}

// DeleteSession ends session id everywhere: its key and events go, and
// every replica is told (Message kind "deleted").
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := s.rdb.Del(ctx, s.key("s", id), s.key("ev", id)).Err(); err != nil {
		return err
	}
	return s.publish(ctx, Message{Kind: "deleted", Session: id})
}
