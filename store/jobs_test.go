package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

func TestJobRuns_StartFinish(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	c := newClock()
	db.Now = c.Now
	runs := store.NewJobRuns(db)

	if last, err := runs.LastOK(ctx, "backup"); err != nil {
		t.Fatal(err)
	} else if last != nil {
		t.Fatalf("last=%+v, want none", last)
	}

	run, err := runs.Start(ctx, "backup")
	if err != nil {
		t.Fatal(err)
	}
	c.Advance(2 * time.Second)
	run.Result, run.Bytes, run.Detail = domain.JobOK, 1234, "b1"
	if err := runs.Finish(ctx, run); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	failed, err := runs.Start(ctx, "vacuum")
	if err != nil {
		t.Fatal(err)
	}
	failed.Result, failed.Error = domain.JobError, "disk full"
	if err := runs.Finish(ctx, failed); err != nil {
		t.Fatal(err)
	}

	list, err := runs.List(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(list), 2; got != want {
		t.Fatalf("runs=%d, want %d", got, want)
	}
	if got, want := list[0].JobID, "vacuum"; got != want {
		t.Fatalf("newest=%q, want %q", got, want)
	}
	b := list[1]
	if b.Result != domain.JobOK || b.Bytes != 1234 || b.Detail != "b1" || b.FinishedAt == nil ||
		b.FinishedAt.Sub(b.StartedAt) != 2*time.Second {
		t.Fatalf("backup run=%+v", b)
	}
	if only, err := runs.List(ctx, "backup", 10); err != nil {
		t.Fatal(err)
	} else if len(only) != 1 {
		t.Fatalf("backup runs=%d, want 1", len(only))
	}
	if last, err := runs.LastOK(ctx, "backup"); err != nil {
		t.Fatal(err)
	} else if last == nil || last.ID != run.ID {
		t.Fatalf("last ok=%+v, want run %d", last, run.ID)
	}

	t.Run("ErrInvalidResult", func(t *testing.T) {
		r, err := runs.Start(ctx, "checkpoint")
		if err != nil {
			t.Fatal(err)
		}
		r.Result = "great"
		if err := runs.Finish(ctx, r); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("code=%q, want %q (err=%v)", domain.ErrorCode(err), domain.EINVALID, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		err := runs.Finish(ctx, &domain.JobRun{ID: 999, Result: domain.JobOK})
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("code=%q, want %q (err=%v)", domain.ErrorCode(err), domain.ENOTFOUND, err)
		}
	})
	t.Run("Interrupt", func(t *testing.T) {
		if _, err := runs.Start(ctx, "optimize"); err != nil {
			t.Fatal(err)
		}
		n, err := runs.Interrupt(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// checkpoint (left running by ErrInvalidResult) and optimize.
		if got, want := n, 2; got != want {
			t.Fatalf("interrupted=%d, want %d", got, want)
		}
		list, err := runs.List(ctx, "optimize", 1)
		if err != nil {
			t.Fatal(err)
		} else if list[0].Result != domain.JobError || list[0].FinishedAt == nil {
			t.Fatalf("run=%+v, want error with end", list[0])
		}
	})
}
