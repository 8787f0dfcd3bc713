// Package launchtrace times the phases of a launch of the window: when
// $REELVAULT_TRACE_LAUNCH is set, Mark prints each phase with the
// milliseconds since the process started (package initialisation, which
// runs before main), so a slow start can be taken apart phase by phase:
//
//	REELVAULT_TRACE_LAUNCH=1 reelvault
//	Launch: main 3 ms
//	Launch: store open 21 ms
//	…
//
// Without the variable Mark does nothing. The package imports only the
// standard library, so it is initialised among the first.
package launchtrace

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// EnvTrace names the environment variable that turns the trace on.
const EnvTrace = "REELVAULT_TRACE_LAUNCH"

var (
	start   = time.Now()
	enabled = os.Getenv(EnvTrace) != ""

	mu  sync.Mutex
	out io.Writer = os.Stderr
	// once holds the phases MarkOnce has printed.
	once = map[string]bool{}
)

// Start returns when the process started (close enough: this package's
// initialisation, before main).
func Start() time.Time { return start }

// Since returns the time since Start.
func Since() time.Duration { return time.Since(start) }

// Enabled reports whether the trace is on.
func Enabled() bool { return enabled }

// Mark prints phase with the milliseconds since Start when the trace is on.
func Mark(phase string) {
	if !enabled {
		return
	}
	at := Since()
	mu.Lock()
	defer mu.Unlock()
	fmt.Fprintf(out, "Launch: %s %.1f ms\n", phase, float64(at.Microseconds())/1000)
}

// MarkOnce is Mark for a phase that may be reached many times (a binding
// the page calls again and again): only the first is printed.
func MarkOnce(phase string) {
	if !enabled {
		return
	}
	mu.Lock()
	seen := once[phase]
	once[phase] = true
	mu.Unlock()
	if !seen {
		Mark(phase)
	}
}

// MarkAt prints phase at the wall-clock time t (a time reported by the
// page, for example), when the trace is on.
func MarkAt(phase string, t time.Time) {
	if !enabled {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	fmt.Fprintf(out, "Launch: %s %.1f ms\n", phase, float64(t.Sub(start).Microseconds())/1000)
}
