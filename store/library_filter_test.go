package store_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// TestLibraryService_FilterCombinations checks every combination of the
// library's filters, with status, search, a created range, the trash and
// a cursor, against the same filter applied in Go to every task: the page
// (read a few tasks at a time) and the counts. The labels' densities
// change along the history, so that pages of several labels walk one
// label here and another there.
func TestLibraryService_FilterCombinations(t *testing.T) {
	if testing.Short() {
		t.Skip("600 tasks, 1,700 filters")
	}
	e := newLibEnv(t)
	const n = 600
	for i := 1; i <= n; i++ {
		ctx, prompt := e.AliceCtx, "an owl at dusk"
		if i%7 == 2 { // 85 of Bob's, within his quota
			ctx = e.BobCtx
		}
		if i%3 == 1 {
			prompt = "a fox at dawn"
		}
		e.MustCreateTask(t, ctx, domain.TaskCreate{Prompt: prompt})
		if i%3 == 0 { // every third task shares its created_at with the one before
			e.Clock.Advance(time.Second)
		}
	}
	// The library data, set in SQL: the tag 夜景 is dense on the older half
	// and sparse on the newer, B-roll the other way round.
	if err := e.DB.Write(e.Owner, func(w *sqlx.DB) error {
		for _, q := range []string{
			`UPDATE tasks SET starred = (id % 3 = 0 OR id % 7 = 0), rating = id % 6,
				status = CASE id % 5 WHEN 0 THEN 'failed' WHEN 3 THEN 'pending' WHEN 4 THEN 'cancelled' ELSE 'completed' END`,
			`UPDATE tasks SET trashed_at = created_at WHERE id % 13 = 0`,
			`INSERT INTO tags (name, name_key) VALUES ('夜景', '夜景'), ('Drone', 'drone'), ('rare', 'rare')`,
			`INSERT INTO task_tags (task_id, tag_id, task_created_at)
				SELECT t.id, g.id, t.created_at FROM tasks t, tags g
				WHERE (g.name_key = '夜景' AND ((t.id <= 300 AND t.id % 2 = 0) OR (t.id > 300 AND t.id % 9 = 0)))
					OR (g.name_key = 'drone' AND t.id % 3 = 0)
					OR (g.name_key = 'rare' AND t.id % 37 = 0)`,
			`INSERT INTO collections (name, name_key, created_at) VALUES ('Trailer v2', 'trailer v2', 1), ('B-roll', 'b-roll', 1)`,
			`INSERT INTO collection_tasks (collection_id, task_id, added_at, task_created_at)
				SELECT c.id, t.id, 1, t.created_at FROM tasks t, collections c
				WHERE (c.name_key = 'trailer v2' AND t.id % 4 <> 1)
					OR (c.name_key = 'b-roll' AND ((t.id > 300 AND t.id % 2 = 1) OR (t.id <= 300 AND t.id % 11 = 0)))`,
		} {
			if _, err := w.Exec(q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tasks := readFilterTasks(t, e)
	mid := tasks[n/2].CreatedAt
	later := tasks[n/6].CreatedAt // tasks are newest first

	var filters []domain.TaskFilter
	for _, starred := range []bool{false, true} {
		for _, rating := range []int{0, 4} {
			for _, status := range [][]domain.Status{nil, {domain.StatusCompleted}, {domain.StatusCompleted, domain.StatusFailed}} {
				for _, tags := range [][]string{nil, {"夜景"}, {"DRONE"}, {"rare"}, {"夜景", "drone"}, {"rare", "夜景", "Drone"}} {
					for _, coll := range []string{"", "Trailer v2", "b-roll"} {
						for _, trashed := range []bool{false, true} {
							for _, search := range []string{"", "fox"} {
								filters = append(filters, domain.TaskFilter{Starred: starred, MinRating: rating, Status: status,
									Tags: tags, Collection: coll, Trashed: trashed, Search: search})
							}
						}
					}
				}
			}
		}
	}
	for i, f := range filters {
		// Alice or the owner, with a created range or without.
		ctx, user := e.AliceCtx, &e.Alice.ID
		if i%2 == 1 {
			ctx, user = e.Owner, nil
		}
		switch i / 2 % 3 {
		case 1:
			f.CreatedTo = &later
		case 2:
			f.CreatedFrom, f.CreatedTo = &mid, &later
		}
		var want []string
		for _, task := range tasks {
			if task.matches(f, user) {
				want = append(want, task.TaskID)
			}
		}
		f.Limit = 7
		var got []string
		for _, task := range store.AllPages(t, ctx, e.Tasks, f, n) {
			got = append(got, task.TaskID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("filter %d %s:\n got %q\nwant %q", i, describeFilter(f), got, want)
		}
		f.Cursor = ""
		counts, err := e.Tasks.CountTasksByStatus(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		wantCounts := map[domain.Status]int{}
		for _, st := range domain.Statuses {
			wantCounts[st] = 0
		}
		for _, task := range tasks {
			if task.matches(f, user) {
				wantCounts[task.Status]++
			}
		}
		if !reflect.DeepEqual(counts, wantCounts) {
			t.Fatalf("filter %d %s: counts %v, want %v", i, describeFilter(f), counts, wantCounts)
		}
	}
}

// filterTask is a task with everything the library's filters look at.
type filterTask struct {
	ID        int64         `db:"id"`
	TaskID    string        `db:"task_id"`
	UserID    int64         `db:"user_id"`
	Prompt    string        `db:"prompt"`
	Status    domain.Status `db:"status"`
	Starred   bool          `db:"starred"`
	Rating    int           `db:"rating"`
	Trashed   bool          `db:"trashed"`
	Micros    int64         `db:"created_at"`
	CreatedAt time.Time
	Tags      map[string]bool
	Colls     map[string]bool
}

// readFilterTasks reads every task of e, newest first, with its labels.
func readFilterTasks(t *testing.T, e *libEnv) []*filterTask {
	t.Helper()
	var tasks []*filterTask
	var labels []struct {
		TaskID int64  `db:"task_id"`
		Key    string `db:"name_key"`
		Coll   bool   `db:"coll"`
	}
	if err := e.DB.Read(e.Owner, func(r *sqlx.DB) error {
		if err := r.Select(&tasks, `SELECT id, task_id, user_id, prompt, status, starred, rating,
			trashed_at IS NOT NULL AS trashed, created_at FROM tasks ORDER BY created_at DESC, id DESC`); err != nil {
			return err
		}
		return r.Select(&labels, `SELECT tt.task_id, g.name_key, 1 = 0 AS coll FROM task_tags tt JOIN tags g ON g.id = tt.tag_id
			UNION ALL SELECT ct.task_id, c.name_key, 1 = 1 FROM collection_tasks ct JOIN collections c ON c.id = ct.collection_id`)
	}); err != nil {
		t.Fatal(err)
	}
	byID := map[int64]*filterTask{}
	for _, task := range tasks {
		task.CreatedAt = time.UnixMicro(task.Micros).UTC()
		task.Tags, task.Colls = map[string]bool{}, map[string]bool{}
		byID[task.ID] = task
	}
	for _, l := range labels {
		if l.Coll {
			byID[l.TaskID].Colls[l.Key] = true
		} else {
			byID[l.TaskID].Tags[l.Key] = true
		}
	}
	return tasks
}

// matches reports whether task is in f as seen by user (nil: the owner).
func (task *filterTask) matches(f domain.TaskFilter, user *int64) bool {
	switch {
	case user != nil && task.UserID != *user,
		task.Trashed != f.Trashed,
		f.Starred && !task.Starred,
		task.Rating < f.MinRating,
		len(f.Status) > 0 && !slices.Contains(f.Status, task.Status),
		f.Collection != "" && !task.Colls[strings.ToLower(f.Collection)],
		f.CreatedFrom != nil && task.CreatedAt.Before(*f.CreatedFrom),
		f.CreatedTo != nil && !task.CreatedAt.Before(*f.CreatedTo),
		f.Search != "" && !strings.Contains(task.Prompt, f.Search):
		return false
	}
	for _, tag := range f.Tags {
		if !task.Tags[strings.ToLower(tag)] {
			return false
		}
	}
	return true
}

// describeFilter returns the fields of f that are set.
func describeFilter(f domain.TaskFilter) string {
	var b strings.Builder
	fmt.Fprintf(&b, "starred=%v rating=%d status=%v tags=%q collection=%q trashed=%v search=%q", f.Starred, f.MinRating, f.Status, f.Tags, f.Collection, f.Trashed, f.Search)
	if f.CreatedFrom != nil {
		fmt.Fprintf(&b, " from=%v", f.CreatedFrom)
	}
	if f.CreatedTo != nil {
		fmt.Fprintf(&b, " to=%v", f.CreatedTo)
	}
	return b.String()
}

// A page reads a task's labels from its label count when it can (a task in
// none, or one whose count is the filter's labels); the tags and
// collections it shows are the task's own, as its detail page reads them,
// whatever the filter and however its names are cased.
func TestFindTasks_LabelsFromCounts(t *testing.T) {
	e := newLibEnv(t)
	ctx := e.AliceCtx
	for _, c := range []string{"Trailer v2", "Other"} {
		if _, err := e.Lib.CreateCollection(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(prompt string, tags []string, colls ...string) {
		t.Helper()
		task := e.MustCreateTask(t, ctx, domain.TaskCreate{Prompt: prompt})
		if len(tags) > 0 {
			if _, err := e.Lib.TagTask(ctx, task.TaskID, tags, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range colls {
			if _, err := e.Lib.AddToCollection(ctx, c, []string{task.TaskID}); err != nil {
				t.Fatal(err)
			}
		}
	}
	mk("night only", []string{"Night"})
	mk("night in the trailer", []string{"Night"}, "Trailer v2")
	mk("night 夜景 in two collections", []string{"Night", "夜景"}, "Trailer v2", "Other")
	mk("night untagged", nil)
	mk("夜景 in the trailer", []string{"夜景"}, "Trailer v2")
	for _, f := range []domain.TaskFilter{
		{},
		{Tags: []string{"night"}},
		{Tags: []string{"NIGHT", "night"}},
		{Collection: "trailer V2"},
		{Tags: []string{"Night"}, Collection: "Trailer v2"},
		{Tags: []string{"夜景", "night"}},
		{Search: "night", Tags: []string{"night"}},
		{Search: "night"},
	} {
		page, err := e.Tasks.FindTasks(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Tasks) == 0 {
			t.Fatalf("%+v: no tasks", f)
		}
		for _, got := range page.Tasks {
			want, err := e.Tasks.FindTaskByID(ctx, got.TaskID)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got.Tags, got.Collections) != fmt.Sprint(want.Tags, want.Collections) {
				t.Errorf("%+v: %q has tags %q and collections %q on the page, %q and %q on its own", f, got.Prompt, got.Tags, got.Collections, want.Tags, want.Collections)
			}
		}
	}
}
