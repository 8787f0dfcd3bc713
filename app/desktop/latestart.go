package desktop

import (
	"sync"
	"time"
)

// backgroundDelay is how long after the window's start its background jobs
// start at the latest, when the page never reports its first page.
const backgroundDelay = 3 * time.Second

// lateStart runs a start function once, later than at once (see openWindow:
// the background jobs wait for the first painted page), and never after
// close, which runs stop when start ran.
type lateStart struct {
	run  func()
	stop func()

	mu      sync.Mutex
	started bool
	closed  bool
	timer   *time.Timer
}

// after starts it after d unless it started before.
func (l *lateStart) after(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.timer = time.AfterFunc(d, l.start)
}

// start runs run unless it ran or close was called.
func (l *lateStart) start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started || l.closed {
		return
	}
	l.started = true
	l.run()
}

// close keeps start from running and runs stop if start ran.
func (l *lateStart) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.timer != nil {
		l.timer.Stop()
	}
	if l.started && l.stop != nil {
		l.stop()
	}
}
