package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

func TestTaskService_ClaimTask(t *testing.T) {
	e := newEnv(t)
	_, _, actx := e.MustCreateUser(t, "alice", 10)
	_, _, bctx := e.MustCreateUser(t, "bob", 10)

	t.Run("NoneWhenEmpty", func(t *testing.T) {
		task, err := e.Tasks.ClaimTask(e.Owner, domain.ClaimRequest{Worker: "w1"})
		if err != nil || task != nil {
			t.Fatalf("task=%v err=%v, want nil, nil", task, err)
		}
	})

	first := e.MustCreateTask(t, actx, domain.TaskCreate{Prompt: "first"})
	e.Clock.Advance(time.Second)
	second := e.MustCreateTask(t, bctx, domain.TaskCreate{Prompt: "second"})

	t.Run("OldestFirst", func(t *testing.T) {
		got, err := e.Tasks.ClaimTask(e.Owner, domain.ClaimRequest{Worker: "w1", Lease: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if got.TaskID != first.TaskID || got.Status != domain.StatusProcessing || got.Attempts != 1 || got.LeaseOwner != "w1" {
			t.Fatalf("claimed %+v, want the first task leased to w1", got)
		}
		if want := e.Clock.Now().Add(30 * time.Second); got.LeaseExpiresAt == nil || !got.LeaseExpiresAt.Equal(want) {
			t.Fatalf("lease_expires_at=%v, want %v", got.LeaseExpiresAt, want)
		}
	})

	t.Run("UserClaimsOwnOnly", func(t *testing.T) {
		got, err := e.Tasks.ClaimTask(actx, domain.ClaimRequest{Worker: "w2"})
		if err != nil || got != nil {
			t.Fatalf("alice claimed %v (err %v), want nothing: her only task is taken", got, err)
		}
		got, err = e.Tasks.ClaimTask(bctx, domain.ClaimRequest{Worker: "w2"})
		if err != nil {
			t.Fatal(err)
		}
		if got == nil || got.TaskID != second.TaskID {
			t.Fatalf("bob claimed %v, want his task", got)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := e.Tasks.ClaimTask(e.Owner, domain.ClaimRequest{Worker: ""})
		AssertCode(t, err, domain.EINVALID, "worker")
		_, err = e.Tasks.ClaimTask(e.Owner, domain.ClaimRequest{Worker: "w", Lease: -time.Second})
		AssertCode(t, err, domain.EINVALID, "lease_seconds")
		_, err = e.Tasks.ClaimTask(context.Background(), domain.ClaimRequest{Worker: "w"})
		AssertCode(t, err, domain.EUNAUTHORIZED, "")
	})
}

func TestTaskService_Leases(t *testing.T) {
	e := newEnv(t)
	_, _, uctx := e.MustCreateUser(t, "alice", 10)
	task := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "leased"})
	claim := func() *domain.Task {
		t.Helper()
		got, err := e.Tasks.ClaimTask(e.Owner, domain.ClaimRequest{Worker: "w1", Lease: time.Minute})
		if err != nil || got == nil || got.TaskID != task.TaskID {
			t.Fatalf("claim: %v %v", got, err)
		}
		return got
	}
	expire := func(want int) {
		t.Helper()
		n, err := e.Tasks.ExpireLeases(e.Owner, 2)
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Fatalf("expired %d, want %d", n, want)
		}
	}

	claim()
	t.Run("Heartbeat", func(t *testing.T) {
		e.Clock.Advance(50 * time.Second)
		got, err := e.Tasks.HeartbeatTask(uctx, task.TaskID, "w1", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if want := e.Clock.Now().Add(time.Minute); !got.LeaseExpiresAt.Equal(want) {
			t.Fatalf("lease_expires_at=%v, want %v", got.LeaseExpiresAt, want)
		}
		_, err = e.Tasks.HeartbeatTask(uctx, task.TaskID, "w2", time.Minute)
		AssertCode(t, err, domain.ECONFLICT, "")
		e.Clock.Advance(50 * time.Second)
		expire(0) // the heartbeat kept it alive
	})

	t.Run("BackToPending", func(t *testing.T) {
		e.Clock.Advance(11 * time.Second)
		expire(1)
		got, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != domain.StatusPending || got.LeaseOwner != "" || got.LeaseExpiresAt != nil || got.StartedAt != nil {
			t.Fatalf("task=%+v, want pending without lease", got)
		}
		if last := got.Events[len(got.Events)-1]; last.Type != domain.EventLeaseExpired {
			t.Fatalf("last event=%+v, want lease_expired", last)
		}
		_, err = e.Tasks.HeartbeatTask(uctx, task.TaskID, "w1", time.Minute)
		AssertCode(t, err, domain.ECONFLICT, "")
	})

	t.Run("FailedAfterMaxAttempts", func(t *testing.T) {
		if got := claim(); got.Attempts != 2 {
			t.Fatalf("attempts=%d, want 2", got.Attempts)
		}
		e.Clock.Advance(2 * time.Minute)
		expire(1)
		got, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != domain.StatusFailed || !strings.Contains(got.ErrorMessage, "lease expired") {
			t.Fatalf("task=%+v, want failed with a lease message", got)
		}
		expire(0)
	})

	t.Run("ErrNotOwner", func(t *testing.T) {
		_, err := e.Tasks.ExpireLeases(uctx, 3)
		AssertCode(t, err, domain.EFORBIDDEN, "")
	})
}

// TestTaskService_HeartbeatAfterLease proves a heartbeat after the lease ran
// out is refused with ECONFLICT by the lease time alone, before any expiry
// sweep has run.
func TestTaskService_HeartbeatAfterLease(t *testing.T) {
	e := newEnv(t)
	_, _, uctx := e.MustCreateUser(t, "alice", 10)
	task := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "p"})
	if _, err := e.Tasks.ClaimTask(e.Owner, domain.ClaimRequest{Worker: "w1", Lease: time.Minute}); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(time.Minute) // exactly at the expiry: the lease ran out
	_, err := e.Tasks.HeartbeatTask(uctx, task.TaskID, "w1", time.Minute)
	AssertCode(t, err, domain.ECONFLICT, "")
	if !strings.Contains(domain.ErrorMessage(err), "ran out") {
		t.Fatalf("message=%q, want it to say the lease ran out", domain.ErrorMessage(err))
	}
	e.Clock.Advance(time.Hour)
	_, err = e.Tasks.HeartbeatTask(uctx, task.TaskID, "w1", time.Minute)
	AssertCode(t, err, domain.ECONFLICT, "")
	got, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusProcessing || !got.LeaseExpiresAt.Before(e.Clock.Now()) {
		t.Fatalf("task=%+v, want still processing with the old lease (refusal changes nothing)", got)
	}
}
