package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

// TestCommitter_DeferredSearch queues, as one batch: a write that creates
// task A, one that deletes A, one that creates B (which reuses A's row id,
// the largest), one that creates C and then fails, and one that creates D
// and re-indexes it with a new word. Their full-text changes are applied at
// the end of the batch; the index must hold exactly B and D's new entry.
func TestCommitter_DeferredSearch(t *testing.T) {
	db := openGroupDB(t)
	ctx := context.Background()
	quota := 100
	u, _, err := NewUserService(db).CreateUser(domain.WithOwner(ctx), domain.UserCreate{Username: "alice", Quota: &quota})
	if err != nil {
		t.Fatal(err)
	}
	create := func(tx *tx, taskID, prompt string) (int64, error) {
		var id int64
		if err := tx.get(&id, `INSERT INTO tasks (task_id, user_id, prompt, status, created_at, updated_at)
			VALUES (?, ?, ?, 'pending', ?, ?) RETURNING id`, taskID, u.ID, prompt, micros(tx.now), micros(tx.now)); err != nil {
			return 0, err
		}
		return id, addSearchEntry(tx, id, taskID, prompt, nil, "")
	}
	var idA, idB int64
	errBoom := errors.New("boom")
	writes := []func(tx *tx) error{
		func(tx *tx) error { var err error; idA, err = create(tx, "A", "alpha"); return err },
		func(tx *tx) error { _, err := tx.exec(`DELETE FROM tasks WHERE task_id = 'A'`); return err },
		func(tx *tx) error { var err error; idB, err = create(tx, "B", "bravo"); return err },
		func(tx *tx) error {
			if _, err := create(tx, "C", "charlie"); err != nil {
				return err
			}
			return errBoom
		},
		func(tx *tx) error {
			id, err := create(tx, "D", "delta")
			if err != nil {
				return err
			}
			return indexTask(tx, id, "D", "delta", []string{"echo"}, "")
		},
	}

	var wg sync.WaitGroup
	release := holdCommitter(ctx, t, db, &wg)
	errs := make([]error, len(writes))
	for i, fn := range writes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.write(ctx, fn)
		}()
		for len(db.committer.queue) < i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	release()
	wg.Wait()
	for i, err := range errs {
		if want := error(nil); i == 3 {
			if !errors.Is(err, errBoom) {
				t.Fatalf("write %d: err=%v, want errBoom", i, err)
			}
		} else if err != want {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if idA != idB {
		t.Fatalf("B has row id %d, A had %d: want the id reused (the case under test)", idB, idA)
	}
	match := func(word string) []string {
		var ids []string
		err := db.Read(ctx, func(r *sqlx.DB) error {
			return r.Select(&ids, `SELECT t.task_id FROM task_search s JOIN tasks t ON t.id = s.rowid WHERE task_search MATCH ? ORDER BY t.task_id`, word)
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	for word, want := range map[string]string{"alpha": "", "bravo": "B", "charlie": "", "delta": "D", "echo": "D"} {
		got := match(word)
		if (want == "" && len(got) != 0) || (want != "" && (len(got) != 1 || got[0] != want)) {
			t.Fatalf("search %q: %v, want %q", word, got, want)
		}
	}
	var entries int
	if err := db.Read(ctx, func(r *sqlx.DB) error {
		return r.Get(&entries, `SELECT count(*) FROM task_search WHERE task_search MATCH 'alpha OR bravo OR charlie OR delta OR echo'`)
	}); err != nil {
		t.Fatal(err)
	}
	if entries != 2 {
		t.Fatalf("%d full-text entries, want 2 (B and D)", entries)
	}
}

// TestCommitter_DeferredSearchMany queues 45 creates as one batch, so their
// entries go in multi-row inserts of every size (32, 8, 1), and checks
// that each task is found by its own word and only by it.
func TestCommitter_DeferredSearchMany(t *testing.T) {
	db := openGroupDB(t)
	ctx := context.Background()
	quota := 100
	u, _, err := NewUserService(db).CreateUser(domain.WithOwner(ctx), domain.UserCreate{Username: "alice", Quota: &quota})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	release := holdCommitter(ctx, t, db, &wg)
	const n = 45
	word := func(i int) string { return "word" + string(rune('a'+i/26)) + string(rune('a'+i%26)) }
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.write(ctx, func(tx *tx) error {
				taskID := "T" + word(i)
				var id int64
				if err := tx.get(&id, `INSERT INTO tasks (task_id, user_id, prompt, status, created_at, updated_at)
					VALUES (?, ?, ?, 'pending', ?, ?) RETURNING id`, taskID, u.ID, word(i), micros(tx.now), micros(tx.now)); err != nil {
					return err
				}
				return addSearchEntry(tx, id, taskID, word(i), nil, "")
			})
			if err != nil {
				t.Errorf("create %d: %v", i, err)
			}
		}()
	}
	for len(db.committer.queue) < n {
		time.Sleep(time.Millisecond)
	}
	release()
	wg.Wait()
	for i := range n {
		var ids []string
		if err := db.Read(ctx, func(r *sqlx.DB) error {
			return r.Select(&ids, `SELECT t.task_id FROM task_search s JOIN tasks t ON t.id = s.rowid WHERE task_search MATCH ?`, word(i))
		}); err != nil {
			t.Fatal(err)
		}
		if len(ids) != 1 || ids[0] != "T"+word(i) {
			t.Fatalf("search %q: %v, want [T%s]", word(i), ids, word(i))
		}
	}
}
