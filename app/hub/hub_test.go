package hub_test

import (
	"sync"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/hub"
	"github.com/reelvault/reelvault/domain"
)

var _ domain.Notifier = (*hub.Hub)(nil)

func TestHub_Notify(t *testing.T) {
	t.Run("FanOut", func(t *testing.T) {
		h := hub.New()
		a, b := h.Subscribe(0), h.Subscribe(0)
		defer a.Close()
		defer b.Close()
		h.Notify(domain.Notification{Type: "task", TaskID: "t1", Status: domain.StatusPending})
		for _, s := range []*hub.Subscription{a, b} {
			select {
			case m := <-s.C:
				if got, want := m.Notification.TaskID, "t1"; got != want {
					t.Fatalf("task_id=%q, want %q", got, want)
				}
				if got, want := m.ID, uint64(1); got != want {
					t.Fatalf("id=%d, want %d", got, want)
				}
			case <-time.After(time.Second):
				t.Fatal("no message delivered")
			}
		}
	})

	t.Run("SlowSubscriberDoesNotBlock", func(t *testing.T) {
		h := hub.New()
		h.Buffer = 2
		slow := h.Subscribe(0) // never read
		defer slow.Close()
		fast := h.Subscribe(0)
		defer fast.Close()

		var wg sync.WaitGroup
		wg.Add(1)
		got := 0
		go func() {
			defer wg.Done()
			for range fast.C {
				got++
				if got == 10 {
					return
				}
			}
		}()
		done := make(chan struct{})
		go func() {
			for i := 0; i < 10; i++ {
				h.Notify(domain.Notification{Type: "task"})
				time.Sleep(time.Millisecond)
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Notify blocked on a slow subscriber")
		}
		wg.Wait()
		if got, want := h.Dropped(), uint64(8); got != want {
			t.Fatalf("dropped=%d, want %d", got, want)
		}
		if got := len(slow.C); got != 2 {
			t.Fatalf("slow buffer holds %d, want 2", got)
		}
	})

	t.Run("ResumeAfterID", func(t *testing.T) {
		h := hub.New()
		for i := 0; i < 5; i++ {
			h.Notify(domain.Notification{Type: "task", Progress: i})
		}
		s := h.Subscribe(3)
		defer s.Close()
		var ids []uint64
		for len(s.C) > 0 {
			ids = append(ids, (<-s.C).ID)
		}
		if len(ids) != 2 || ids[0] != 4 || ids[1] != 5 {
			t.Fatalf("replayed ids=%v, want [4 5]", ids)
		}
	})

	t.Run("ResumeAfterBacklogWrap", func(t *testing.T) {
		h := hub.New()
		for i := 0; i < hub.DefaultBacklog+10; i++ {
			h.Notify(domain.Notification{Type: "task"})
		}
		s := h.Subscribe(1)
		defer s.Close()
		first := <-s.C
		if got, want := first.ID, uint64(11); got != want {
			t.Fatalf("first replayed id=%d, want %d (oldest retained)", got, want)
		}
		if got, want := len(s.C), hub.DefaultBacklog-1; got != want {
			t.Fatalf("replayed %d more, want %d", got, want)
		}
	})

	t.Run("Close", func(t *testing.T) {
		h := hub.New()
		s := h.Subscribe(0)
		s.Close()
		s.Close()
		if _, ok := <-s.C; ok {
			t.Fatal("channel not closed")
		}
		if got := h.Subscribers(); got != 0 {
			t.Fatalf("subscribers=%d, want 0", got)
		}
		h.Notify(domain.Notification{Type: "task"}) // must not panic on a closed subscriber
	})
}
