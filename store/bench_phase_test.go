package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/store"
)

// phaseLog collects the committer's stages of each timed write (SQLite; see
// store.CommitPhases) beside the write's latency as its caller measured it,
// and reports where the time of the typical write and of the slowest 1 %
// went: the per-stage breakdown that tells a slow fsync from a slow
// statement, a checkpoint, a WAL restart, a garbage collection or a wait for
// a core.
type phaseLog struct {
	on     bool
	last   store.CommitPhases
	got    bool
	writes []phaseWrite
}

// phaseWrite is one timed write.
type phaseWrite struct {
	total time.Duration // as the caller measured it
	store.CommitPhases
}

// start has p record the writes of db (the caller's goroutine makes them,
// one at a time) until b ends.
func (p *phaseLog) start(b *testing.B, db *store.DB) {
	store.SetCommitTrace(db, func(ph store.CommitPhases) {
		if p.on {
			p.last, p.got = ph, true
		}
	})
	b.Cleanup(func() { store.SetCommitTrace(db, nil) })
}

// time runs fn as one timed write and returns its latency.
func (p *phaseLog) time(fn func() error) (time.Duration, error) {
	p.on, p.got = true, false
	t0 := time.Now()
	err := fn()
	d := time.Since(t0)
	p.on = false
	if err == nil && p.got {
		p.writes = append(p.writes, phaseWrite{total: d, CommitPhases: p.last})
	}
	return d, err
}

// stages names the stages in order, with how to read each from a write;
// "outside" is the caller's time around the committer (the service method
// before and after its write is queued).
var stages = []struct {
	name string
	get  func(w phaseWrite) time.Duration
}{
	{"queue", func(w phaseWrite) time.Duration { return w.Queue }},
	{"linger", func(w phaseWrite) time.Duration { return w.Linger }},
	{"begin", func(w phaseWrite) time.Duration { return w.Begin }},
	{"exec", func(w phaseWrite) time.Duration { return w.Exec }},
	{"search", func(w phaseWrite) time.Duration { return w.Search }},
	{"commit", func(w phaseWrite) time.Duration { return w.Commit }},
	{"syncwait", func(w phaseWrite) time.Duration { return w.SyncWait }},
	{"fsync", func(w phaseWrite) time.Duration { return w.Fsync }},
	{"answer", func(w phaseWrite) time.Duration { return w.Answer }},
	{"wake", func(w phaseWrite) time.Duration { return w.Wake }},
	{"outside", func(w phaseWrite) time.Duration {
		in := w.Queue + w.Linger + w.Begin + w.Exec + w.Search + w.Commit + w.SyncWait + w.Fsync + w.Answer + w.Wake
		return w.total - in
	}},
}

// report adds p50/p99 of the main stages to b's metrics and logs, for all
// writes and for the slowest 1 %, the mean of every stage and how many
// writes restarted the WAL, grew it, overlapped a checkpoint or a garbage
// collection, or were synced by the syncer.
func (p *phaseLog) report(b *testing.B) {
	if len(p.writes) == 0 {
		return
	}
	for _, s := range stages {
		if s.name == "linger" || s.name == "answer" {
			continue
		}
		d := make([]time.Duration, len(p.writes))
		for i, w := range p.writes {
			d[i] = s.get(w)
		}
		b.ReportMetric(pctMicros(d, 50), s.name+"-p50-µs")
		b.ReportMetric(pctMicros(d, 99), s.name+"-p99-µs")
	}
	ws := slices.Clone(p.writes)
	slices.SortFunc(ws, func(a, b phaseWrite) int { return int(a.total - b.total) })
	slow := ws[len(ws)*99/100:]
	var sb strings.Builder
	fmt.Fprintf(&sb, "stage means, µs: all %d writes | slowest %d (≥ %.0f µs)\n", len(ws), len(slow), float64(slow[0].total.Nanoseconds())/1e3)
	mean := func(ws []phaseWrite, get func(phaseWrite) time.Duration) float64 {
		var t time.Duration
		for _, w := range ws {
			t += get(w)
		}
		return float64(t.Nanoseconds()) / 1e3 / float64(len(ws))
	}
	share := func(ws []phaseWrite, is func(phaseWrite) bool) float64 {
		n := 0
		for _, w := range ws {
			if is(w) {
				n++
			}
		}
		return 100 * float64(n) / float64(len(ws))
	}
	fmt.Fprintf(&sb, "  %-9s %8.1f | %8.1f\n", "total", mean(ws, func(w phaseWrite) time.Duration { return w.total }), mean(slow, func(w phaseWrite) time.Duration { return w.total }))
	for _, s := range stages {
		fmt.Fprintf(&sb, "  %-9s %8.1f | %8.1f\n", s.name, mean(ws, s.get), mean(slow, s.get))
	}
	flags := []struct {
		name string
		is   func(phaseWrite) bool
	}{
		{"WAL restarted", func(w phaseWrite) bool { return w.Restarted }},
		{"WAL grew", func(w phaseWrite) bool { return w.Grew }},
		{"checkpoint", func(w phaseWrite) bool { return w.Checkpoint }},
		{"GC", func(w phaseWrite) bool { return w.GCs > 0 }},
		{"by syncer", func(w phaseWrite) bool { return w.BySyncer }},
	}
	for _, f := range flags {
		fmt.Fprintf(&sb, "  %-14s %5.1f %% | %5.1f %%\n", f.name, share(ws, f.is), share(slow, f.is))
	}
	// What each condition costs, within this run: p50 and mean of the
	// fsync and of the whole write, with and without it.
	fsync := func(w phaseWrite) time.Duration { return w.Fsync }
	total := func(w phaseWrite) time.Duration { return w.total }
	fmt.Fprintf(&sb, "  fsync p50/mean and write p50/mean, µs, with | without:\n")
	for _, f := range flags {
		var with, without []phaseWrite
		for _, w := range ws {
			if f.is(w) {
				with = append(with, w)
			} else {
				without = append(without, w)
			}
		}
		row := func(ws []phaseWrite) string {
			if len(ws) == 0 {
				return "-"
			}
			return fmt.Sprintf("%.0f/%.0f %.0f/%.0f (%d)", med(ws, fsync), mean(ws, fsync), med(ws, total), mean(ws, total), len(ws))
		}
		fmt.Fprintf(&sb, "  %-14s %s | %s\n", f.name, row(with), row(without))
	}
	b.Log("\n" + sb.String())
}

// med returns the median of get over ws in µs.
func med(ws []phaseWrite, get func(phaseWrite) time.Duration) float64 {
	d := make([]time.Duration, len(ws))
	for i, w := range ws {
		d[i] = get(w)
	}
	return pctMicros(d, 50)
}
