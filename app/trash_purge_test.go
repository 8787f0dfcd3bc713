package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// The daily purge deletes the tasks whose time in the trash ran out, and
// records its run.
func TestTrashPurge_Once(t *testing.T) {
	m := mustOpenMain(t, false)
	if m.Library == nil {
		t.Fatal("Main has no library")
	}
	owner := domain.WithOwner(context.Background())
	if _, _, err := m.Users.CreateUser(owner, domain.UserCreate{Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range []string{"old", "new"} {
		task, err := m.Tasks.CreateTask(owner, domain.TaskCreate{Username: "alice", Prompt: p})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, task.TaskID)
	}
	if _, err := m.Library.TrashTasks(owner, ids, domain.TrashOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := m.Library.SetTrashRetention(owner, 2); err != nil {
		t.Fatal(err)
	}
	runs := store.NewJobRuns(m.DB)
	p := app.TrashPurge{Library: m.Library, Runs: runs, Now: func() time.Time { return time.Now().Add(24 * time.Hour) }}
	if res := p.Once(context.Background()); res == nil || res.Changed != 0 {
		t.Fatalf("purge after a day: %+v, want nothing", res)
	}
	p.Now = func() time.Time { return time.Now().Add(49 * time.Hour) }
	if res := p.Once(context.Background()); res == nil || res.Changed != 2 {
		t.Fatalf("purge after two days: %+v, want 2", res)
	}
	page, err := m.Tasks.FindTasks(owner, domain.TaskFilter{Trashed: true})
	if err != nil || len(page.Tasks) != 0 {
		t.Fatalf("trash after the purge: %+v, %v", page, err)
	}
	list, err := runs.List(owner, app.TrashPurgeJob, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Result != domain.JobOK {
		t.Fatalf("runs %+v", list)
	}
}
