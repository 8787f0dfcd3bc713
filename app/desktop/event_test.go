package desktop_test

import (
	"testing"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/app/hub"
	"github.com/reelvault/reelvault/domain"
)

type emitted struct {
	name string
	data any
}

func TestForwardEvents(t *testing.T) {
	t.Run("InOrder", func(t *testing.T) {
		h := hub.New()
		sub := h.Subscribe(0)
		got := make(chan emitted, 16)
		done := make(chan struct{})
		go func() {
			desktop.ForwardEvents(sub, func(name string, data any) { got <- emitted{name, data} })
			close(done)
		}()
		h.Notify(domain.Notification{Type: "task", TaskID: "a", Status: domain.StatusPending})
		h.Notify(domain.Notification{Type: "task", TaskID: "a", Status: domain.StatusProcessing, Progress: 10})
		sub.Close()
		<-done
		close(got)
		var list []emitted
		for e := range got {
			list = append(list, e)
		}
		if len(list) != 2 {
			t.Fatalf("emitted %d events, want 2: %+v", len(list), list)
		}
		for i, want := range []domain.Status{domain.StatusPending, domain.StatusProcessing} {
			n, ok := list[i].data.(domain.Notification)
			if list[i].name != desktop.EventNotification || !ok || n.Status != want {
				t.Fatalf("event %d = %+v, want %s with status %s", i, list[i], desktop.EventNotification, want)
			}
		}
	})

	t.Run("ResyncAfterDrops", func(t *testing.T) {
		h := hub.New()
		h.Buffer = 2
		sub := h.Subscribe(0)
		// Nobody reads yet: the hub keeps 2 and drops the rest.
		for i := 0; i < 5; i++ {
			h.Notify(domain.Notification{Type: "task", Progress: i})
		}
		got := make(chan emitted, 16)
		done := make(chan struct{})
		go func() {
			desktop.ForwardEvents(sub, func(name string, data any) { got <- emitted{name, data} })
			close(done)
		}()
		<-got
		<-got
		h.Notify(domain.Notification{Type: "task", Progress: 99}) // after a gap of dropped IDs
		if e := <-got; e.name != desktop.EventResync {
			t.Fatalf("event=%+v, want %s after the gap", e, desktop.EventResync)
		}
		if e := <-got; e.name != desktop.EventNotification || e.data.(domain.Notification).Progress != 99 {
			t.Fatalf("event=%+v, want the notification after the resync", e)
		}
		sub.Close()
		<-done
	})
}
