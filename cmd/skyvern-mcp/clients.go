package main

import (
	"container/list"
	"sync"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// maxCallerClients bounds the per-caller clients kept (one per x-api-key).
const maxCallerClients = 1000

// clientCache keeps one *client.Client per caller key, the most recently
// used first, so that a caller's calls share one client (and the shared
// client.Watcher, which keys its pollers by client, polls each of the
// caller's runs once). It is keyed by the caller ID (an HMAC of the key),
// never by the key itself.
type clientCache struct {
	max   int
	make  func(key string) (*client.Client, error)
	mu    sync.Mutex
	byID  map[string]*list.Element // of *cachedClient
	order *list.List               // front: most recently used
}

type cachedClient struct {
	id string
	c  *client.Client
}

func newClientCache(max int, make func(key string) (*client.Client, error)) *clientCache {
	return &clientCache{max: max, make: make, byID: map[string]*list.Element{}, order: list.New()}
}

// get returns the caller's client, creating it when needed. id must be
// derived from key (httpserver.CallerID).
func (cc *clientCache) get(id, key string) (*client.Client, error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if e, ok := cc.byID[id]; ok {
		cc.order.MoveToFront(e)
		return e.Value.(*cachedClient).c, nil
	}
	c, err := cc.make(key)
	if err != nil {
		return nil, err
	}
	cc.byID[id] = cc.order.PushFront(&cachedClient{id: id, c: c})
	for cc.order.Len() > cc.max {
		old := cc.order.Back()
		cc.order.Remove(old)
		delete(cc.byID, old.Value.(*cachedClient).id)
	}
	return c, nil
}

func (cc *clientCache) len() int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.order.Len()
}
