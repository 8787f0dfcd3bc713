// Package hub is Reelvault's in-process publish/subscribe bus. The store and
// the backup package publish domain.Notifications to it; the HTTP server's
// event stream and the desktop window subscribe.
//
// Publishing never blocks: each subscriber has a bounded buffer, and a
// subscriber that falls behind loses messages (counted in Dropped) rather than
// stalling the writer that committed the change. A short backlog of recent
// messages lets a reconnecting client resume from the last ID it saw.
package hub

import (
	"sync"
	"sync/atomic"

	"github.com/reelvault/reelvault/domain"
)

// Defaults for New.
const (
	DefaultBuffer  = 64  // messages buffered per subscriber
	DefaultBacklog = 256 // recent messages kept for resuming subscribers
)

// Message is one published notification with its sequence number. IDs start
// at 1 and increase by one per message.
type Message struct {
	ID           uint64
	Notification domain.Notification
}

// Hub fans notifications out to subscribers. The zero value is not usable;
// call New.
type Hub struct {
	// Buffer is the channel capacity given to each new subscriber.
	Buffer int

	mu      sync.RWMutex
	subs    map[*Subscription]struct{}
	seq     uint64
	backlog []Message // ring of the last cap(backlog) messages
	next    int       // ring position of the next write
	full    bool

	dropped atomic.Uint64
}

// New returns a hub with DefaultBuffer and DefaultBacklog.
func New() *Hub {
	return &Hub{
		Buffer:  DefaultBuffer,
		subs:    make(map[*Subscription]struct{}),
		backlog: make([]Message, DefaultBacklog),
	}
}

// Subscription receives messages on C until Close is called.
type Subscription struct {
	// C delivers messages in publish order, possibly with gaps when the
	// subscriber was too slow. It is closed by Close.
	C <-chan Message

	c    chan Message
	hub  *Hub
	once sync.Once
}

// Notify publishes n to every subscriber without blocking. It implements
// domain.Notifier.
func (h *Hub) Notify(n domain.Notification) {
	h.mu.Lock()
	h.seq++
	m := Message{ID: h.seq, Notification: n}
	h.backlog[h.next] = m
	h.next = (h.next + 1) % len(h.backlog)
	if h.next == 0 {
		h.full = true
	}
	// Sending under the lock keeps delivery in ID order for every
	// subscriber; the sends never block, so the lock is held briefly.
	for s := range h.subs {
		select {
		case s.c <- m:
		default:
			h.dropped.Add(1)
		}
	}
	h.mu.Unlock()
}

// Subscribe registers a subscriber. Messages published after the call are
// delivered on the returned subscription's C; when after is not zero, the
// retained messages with IDs greater than after are delivered first.
func (h *Hub) Subscribe(after uint64) *Subscription {
	size := h.Buffer
	if size <= 0 {
		size = DefaultBuffer
	}
	h.mu.Lock()
	defer h.mu.Unlock()

	var replay []Message
	if after > 0 {
		replay = h.recentLocked(after)
	}
	if len(replay) > size {
		size = len(replay) + size
	}
	c := make(chan Message, size)
	for _, m := range replay {
		c <- m
	}
	s := &Subscription{C: c, c: c, hub: h}
	h.subs[s] = struct{}{}
	return s
}

// recentLocked returns the retained messages with IDs above after, oldest first.
func (h *Hub) recentLocked(after uint64) []Message {
	var ordered []Message
	if h.full {
		ordered = append(ordered, h.backlog[h.next:]...)
	}
	ordered = append(ordered, h.backlog[:h.next]...)
	var out []Message
	for _, m := range ordered {
		if m.ID > after {
			out = append(out, m)
		}
	}
	return out
}

// Close unregisters the subscription and closes C. It is safe to call more
// than once.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.hub.mu.Lock()
		delete(s.hub.subs, s)
		close(s.c)
		s.hub.mu.Unlock()
	})
}

// Subscribers returns the number of open subscriptions.
func (h *Hub) Subscribers() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.subs)
}

// LastID returns the ID of the most recent message, 0 before the first.
func (h *Hub) LastID() uint64 {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.seq
}

// Dropped returns how many deliveries were skipped because a subscriber's
// buffer was full.
func (h *Hub) Dropped() uint64 {
	return h.dropped.Load()
}
