package desktop

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestLateStart(t *testing.T) {
	t.Run("OnceThenStop", func(t *testing.T) {
		var runs, stops atomic.Int32
		l := &lateStart{run: func() { runs.Add(1) }, stop: func() { stops.Add(1) }}
		l.after(time.Hour)
		l.start()
		l.start()
		l.close()
		if got, want := runs.Load(), int32(1); got != want {
			t.Fatalf("runs=%d, want %d", got, want)
		}
		if got, want := stops.Load(), int32(1); got != want {
			t.Fatalf("stops=%d, want %d", got, want)
		}
	})
	t.Run("AfterTheDelay", func(t *testing.T) {
		ran := make(chan struct{})
		l := &lateStart{run: func() { close(ran) }}
		l.after(time.Millisecond)
		<-ran // the test's own timeout catches a start that never comes
		l.close()
	})
	t.Run("NeverAfterClose", func(t *testing.T) {
		var runs, stops atomic.Int32
		l := &lateStart{run: func() { runs.Add(1) }, stop: func() { stops.Add(1) }}
		l.after(time.Hour)
		l.close()
		l.start()
		if runs.Load() != 0 || stops.Load() != 0 {
			t.Fatalf("runs=%d stops=%d after close, want 0 and 0", runs.Load(), stops.Load())
		}
	})
}
