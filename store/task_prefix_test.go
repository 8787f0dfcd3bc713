package store_test

import (
	"fmt"
	"sort"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

func TestTaskService_FindTaskIDsByPrefix(t *testing.T) {
	e := newEnv(t)
	_, _, alice := e.MustCreateUser(t, "alice", 10)
	_, _, bob := e.MustCreateUser(t, "bob", 10)
	var ids []string
	for range 3 {
		ids = append(ids, e.MustCreateTask(t, alice, domain.TaskCreate{Prompt: "p"}).TaskID)
	}
	other := e.MustCreateTask(t, bob, domain.TaskCreate{Prompt: "q"}).TaskID

	got, err := e.Tasks.FindTaskIDsByPrefix(e.Owner, ids[0][:8], 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != ids[0] {
		t.Fatalf("prefix %s: got %v, want [%s]", ids[0][:8], got, ids[0])
	}
	if got, err := e.Tasks.FindTaskIDsByPrefix(e.Owner, ids[1], 5); err != nil || len(got) != 1 {
		t.Fatalf("a whole ID: got %v, %v", got, err)
	}
	if got, err := e.Tasks.FindTaskIDsByPrefix(e.Owner, "ffffffff-no", 5); err != nil || len(got) != 0 {
		t.Fatalf("no match: got %v, %v", got, err)
	}

	t.Run("UserSeesOwnOnly", func(t *testing.T) {
		got, err := e.Tasks.FindTaskIDsByPrefix(alice, other[:10], 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Fatalf("alice found bob's task %v", got)
		}
		got, err = e.Tasks.FindTaskIDsByPrefix(bob, other[:10], 5)
		if err != nil || len(got) != 1 {
			t.Fatalf("bob: got %v, %v", got, err)
		}
	})

	t.Run("Ambiguous", func(t *testing.T) {
		// Give three tasks IDs that share their first eight characters.
		var made []string
		for i := range 3 {
			task := e.MustCreateTask(t, alice, domain.TaskCreate{Prompt: "same start"})
			id := fmt.Sprintf("abcdef12-%04d-4000-8000-000000000000", 2-i)
			if err := e.DB.Write(t.Context(), func(w *sqlx.DB) error {
				_, err := w.Exec(fmt.Sprintf("UPDATE tasks SET task_id = '%s' WHERE id = %d", id, task.ID))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			made = append(made, id)
		}
		sort.Strings(made)
		got, err := e.Tasks.FindTaskIDsByPrefix(e.Owner, "abcdef12", 100)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(made) {
			t.Fatalf("got %v, want %v in order", got, made)
		}
		if got, _ := e.Tasks.FindTaskIDsByPrefix(e.Owner, "abcdef12", 2); len(got) != 2 {
			t.Fatalf("limit 2: got %v", got)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		_, err := e.Tasks.FindTaskIDsByPrefix(e.Owner, "abc", 5)
		AssertCode(t, err, domain.EINVALID, "id")
		_, err = e.Tasks.FindTaskIDsByPrefix(e.Owner, string(make([]byte, 201)), 5)
		AssertCode(t, err, domain.EINVALID, "id")
		_, err = e.Tasks.FindTaskIDsByPrefix(t.Context(), ids[0][:8], 5)
		AssertCode(t, err, domain.EUNAUTHORIZED, "")
	})
}
