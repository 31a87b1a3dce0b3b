package main

import (
	"context"
	"errors"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/skyvern-mcp/skyvern-mcp/internal/config"
	"github.com/skyvern-mcp/skyvern-mcp/internal/httpserver"
	"github.com/skyvern-mcp/skyvern-mcp/internal/shared"
	"github.com/skyvern-mcp/skyvern-mcp/tools"
)

// sharedState connects to Redis (--redis-url) and returns the store, its
// task support and the server options that record tasks there. deps.Tasks
// gets the task support that records each run's status there.
func sharedState(cfg *config.Config, logger zerolog.Logger, deps *tools.Deps) (*shared.Store, *shared.Tasks, []server.ServerOption, error) {
	store, err := shared.Open(context.Background(), shared.Options{
		URL: cfg.RedisURL, SessionTTL: httpserver.DefaultSessionIdleTTL,
		Log: logger.With().Str("component", "redis").Logger(),
	})
	if err != nil {
		return nil, nil, nil, err
	}
	tasks := store.Tasks(shared.TaskOptions{
		Follow: func(ctx context.Context, tool, runID string, observe func(context.Context, string, string)) (*mcp.CallToolResult, error) {
			c, err := deps.Client(ctx)
			if err != nil {
				return nil, err
			}
			return deps.FollowTaskRun(ctx, c, tool, runID, observe)
		},
		CancelRun: func(ctx context.Context, runID string) error {
			c, err := deps.Client(ctx)
			if err != nil {
				return err
			}
			if c == nil {
				return errors.New("no Skyvern client")
			}
			return c.CancelRun(ctx, runID)
		},
	})
	deps.Tasks = tools.NewTasks(tools.TaskOptions{TTL: cfg.TaskTTL, MaxTasks: cfg.MaxTasks, Observe: tasks.Observe})
	logger.Info().Str("replica", store.Replica()).Msg("shared state in Redis: sessions, tasks and stream events are served by every replica")
	return store, tasks, []server.ServerOption{
		server.WithTaskHooks(tasks.TaskHooks()),
		// Outermost: it records the result every other middleware shaped.
		server.WithToolHandlerMiddleware(tasks.Middleware()),
	}, nil
}

// notifier returns how resource subscriptions notify a session: through
// Redis (the replica holding the session's stream delivers), or nil (this
// server's own sessions).
func (a *app) notifier() func(sessionID, method string, params map[string]any) error {
	if a.shared == nil {
		return nil
	}
	return func(sessionID, method string, params map[string]any) error {
		return a.shared.Notify(context.Background(), sessionID, method, params)
	}
}
