package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// TestTaskService_FindTasks pages through a history with every filter and
// checks each page against the expected newest-first order.
func TestTaskService_FindTasks(t *testing.T) {
	e := newEnv(t)
	alice, _, actx := e.MustCreateUser(t, "alice", 1000)
	_, _, bctx := e.MustCreateUser(t, "bob", 1000)
	start := e.Clock.Now()

	// 30 tasks alternating users; every third one completed; some share a
	// timestamp so that the id breaks ties.
	type made struct {
		id      string
		user    string
		status  domain.Status
		created time.Time
	}
	var all []made
	for i := range 30 {
		ctx, user := actx, "alice"
		if i%2 == 1 {
			ctx, user = bctx, "bob"
		}
		task := mustTaskIn(t, e, ctx, []domain.Status{domain.StatusPending, domain.StatusProcessing, domain.StatusCompleted}[i%3])
		all = append(all, made{task.TaskID, user, task.Status, task.CreatedAt})
		if i%4 != 0 {
			e.Clock.Advance(time.Minute)
		}
	}
	slices.Reverse(all) // newest first

	want := func(keep func(m made) bool) []string {
		var ids []string
		for _, m := range all {
			if keep(m) {
				ids = append(ids, m.id)
			}
		}
		return ids
	}
	pageAll := func(f domain.TaskFilter) []string {
		t.Helper()
		var ids []string
		for pages := 0; ; pages++ {
			if pages > 40 {
				t.Fatal("pagination does not end")
			}
			page, err := e.Tasks.FindTasks(e.Owner, f)
			if err != nil {
				t.Fatal(err)
			}
			if f.Limit > 0 && len(page.Tasks) > f.Limit {
				t.Fatalf("page of %d tasks, limit %d", len(page.Tasks), f.Limit)
			}
			for _, task := range page.Tasks {
				ids = append(ids, task.TaskID)
			}
			if page.NextCursor == "" {
				return ids
			}
			f.Cursor = page.NextCursor
		}
	}
	from, to := start.Add(5*time.Minute), start.Add(15*time.Minute)
	for _, tt := range []struct {
		name   string
		filter domain.TaskFilter
		keep   func(m made) bool
	}{
		{"All", domain.TaskFilter{Limit: 7}, func(made) bool { return true }},
		{"DefaultLimit", domain.TaskFilter{}, func(made) bool { return true }},
		{"UserID", domain.TaskFilter{UserID: &alice.ID, Limit: 4}, func(m made) bool { return m.user == "alice" }},
		{"Username", domain.TaskFilter{Username: "bob", Limit: 4}, func(m made) bool { return m.user == "bob" }},
		{"UserStatus", domain.TaskFilter{Username: "alice", Status: []domain.Status{domain.StatusCompleted}, Limit: 2},
			func(m made) bool { return m.user == "alice" && m.status == domain.StatusCompleted }},
		{"Statuses", domain.TaskFilter{Status: []domain.Status{domain.StatusPending, domain.StatusProcessing}, Limit: 3},
			func(m made) bool { return m.status != domain.StatusCompleted }},
		{"CreatedRange", domain.TaskFilter{CreatedFrom: &from, CreatedTo: &to, Limit: 5},
			func(m made) bool { return !m.created.Before(from) && m.created.Before(to) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, want := pageAll(tt.filter), want(tt.keep)
			if len(want) == 0 {
				t.Fatal("test filter selects nothing")
			}
			if !slices.Equal(got, want) {
				t.Fatalf("got %d ids %v\nwant %d ids %v", len(got), got, len(want), want)
			}
		})
	}

	t.Run("UserSeesOwnOnly", func(t *testing.T) {
		page, err := e.Tasks.FindTasks(bctx, domain.TaskFilter{Limit: 100, Username: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Tasks) != 0 {
			t.Fatalf("bob filtering by alice sees %d tasks", len(page.Tasks))
		}
		page, err = e.Tasks.FindTasks(bctx, domain.TaskFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Tasks) != 15 {
			t.Fatalf("bob sees %d tasks, want 15", len(page.Tasks))
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		good, err := e.Tasks.FindTasks(e.Owner, domain.TaskFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name   string
			filter domain.TaskFilter
			field  string
		}{
			{"UnknownStatus", domain.TaskFilter{Status: []domain.Status{"done"}}, "status"},
			{"NegativeLimit", domain.TaskFilter{Limit: -1}, "limit"},
			{"HugeLimit", domain.TaskFilter{Limit: 501}, "limit"},
			{"GarbageCursor", domain.TaskFilter{Cursor: "not a cursor!"}, "cursor"},
			{"TamperedCursor", domain.TaskFilter{Cursor: good.NextCursor + "x"}, "cursor"},
			{"SQLCursor", domain.TaskFilter{Cursor: "MScgT1IgMT0xIC0t"}, "cursor"},
			{"RangeBackwards", domain.TaskFilter{CreatedFrom: &to, CreatedTo: &from}, "created_to"},
			{"EmptySearch", domain.TaskFilter{Search: "  !!! "}, "search"},
			{"InvalidUTF8Search", domain.TaskFilter{Search: "\xff"}, "search"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.Tasks.FindTasks(e.Owner, tt.filter)
				AssertCode(t, err, domain.EINVALID, tt.field)
			})
		}
	})

	t.Run("CountTasksByStatus", func(t *testing.T) {
		// Cursor and limit are ignored.
		counts, err := e.Tasks.CountTasksByStatus(e.Owner, domain.TaskFilter{Username: "alice", Cursor: "x", Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		want := map[domain.Status]int{domain.StatusPending: 5, domain.StatusProcessing: 5, domain.StatusCompleted: 5, domain.StatusFailed: 0, domain.StatusCancelled: 0}
		if fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Fatalf("counts=%v, want %v", counts, want)
		}
	})
}

func TestTaskService_Search(t *testing.T) {
	e := newEnv(t)
	_, _, uctx := e.MustCreateUser(t, "alice", 100)
	forest := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "制作森林探险视频"})
	e.Clock.Advance(time.Second)
	fox := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "A red fox running through the snowy forest at dawn"})
	e.Clock.Advance(time.Second)
	city := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "Neon city at night, café scene", TotalScenes: 2})
	e.Clock.Advance(time.Second)
	quote := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: `He said "cut" -- then NEAR(the end) OR *`})
	if _, err := e.Tasks.SetScripts(uctx, city.TaskID, []domain.ScriptInput{
		{SceneNumber: 1, Description: "无人机航拍海边的灯塔"},
		{SceneNumber: 2, Description: "Close-up of a lighthouse keeper"},
	}); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		search string
		want   []string
	}{
		{"森林", []string{forest.TaskID}},
		{"探险", []string{forest.TaskID}},
		{"森林探险视频", []string{forest.TaskID}},
		{"制作", []string{forest.TaskID}},
		{"林探", []string{forest.TaskID}},
		{"森探", nil}, // not a substring
		{"fox", []string{fox.TaskID}},
		{"FOREST", []string{fox.TaskID}},
		{"fore", []string{fox.TaskID}},
		{"snowy fox", []string{fox.TaskID}},
		{"fox city", nil},
		{"cafe", []string{city.TaskID}},
		{"灯塔", []string{city.TaskID}},         // scene description
		{"lighthouse", []string{city.TaskID}}, // scene description
		{"at", []string{city.TaskID, fox.TaskID}},
		{`"cut"`, []string{quote.TaskID}},
		{`NEAR(the`, []string{quote.TaskID}},
		{`fox OR city`, nil}, // OR is a word here, not an operator
		{`fox*`, []string{fox.TaskID}},
		{`-- fox`, []string{fox.TaskID}},
		{`'); DROP TABLE tasks; --`, nil},
		{`body:fox`, nil}, // no column filter: "body" is a word
	} {
		t.Run(tt.search, func(t *testing.T) {
			page, err := e.Tasks.FindTasks(uctx, domain.TaskFilter{Search: tt.search})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, task := range page.Tasks {
				got = append(got, task.TaskID)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("search %q found %v, want %v", tt.search, got, tt.want)
			}
		})
	}

	t.Run("ScriptsReplaced", func(t *testing.T) {
		if _, err := e.Tasks.SetScripts(uctx, city.TaskID, []domain.ScriptInput{{SceneNumber: 1, Description: "沙漠日落"}}); err != nil {
			t.Fatal(err)
		}
		for search, n := range map[string]int{"灯塔": 0, "沙漠": 1, "Neon": 1} {
			page, err := e.Tasks.FindTasks(uctx, domain.TaskFilter{Search: search})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Tasks) != n {
				t.Fatalf("search %q found %d, want %d", search, len(page.Tasks), n)
			}
		}
	})
	if n := e.Count(t, "tasks"); n != 4 {
		t.Fatalf("tasks=%d, want 4", n)
	}
}

// TestTaskService_SearchOrder checks that search pages are newest first by
// created_at even when tasks were not created in time order (a clock set
// back, or an import of older tasks).
func TestTaskService_SearchOrder(t *testing.T) {
	e := newEnv(t)
	_, _, actx := e.MustCreateUser(t, "alice", 1000)
	_, _, bctx := e.MustCreateUser(t, "bob", 1000)
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range 60 {
		// Mostly forward, sometimes far back, sometimes the same instant.
		switch r := rng.IntN(10); {
		case r < 6:
			e.Clock.Advance(time.Duration(1+rng.IntN(60)) * time.Minute)
		case r < 8:
			e.Clock.Advance(-time.Duration(1+rng.IntN(600)) * time.Minute)
		}
		ctx := actx
		if i%3 == 0 {
			ctx = bctx
		}
		words := []string{"lantern", "harbor"}
		e.MustCreateTask(t, ctx, domain.TaskCreate{Prompt: fmt.Sprintf("%s 灯塔 number %d", words[rng.IntN(2)], i)})
	}
	// PostgreSQL has no task_search_late: its search sorts by created_at.
	if !onPostgres() && e.Count(t, "task_search_late") < 5 {
		t.Fatal("the workload made too few out-of-order tasks to test their merge")
	}
	for _, f := range []domain.TaskFilter{
		{Search: "lantern", Limit: 4},
		{Search: "灯塔", Limit: 7},
		{Search: "harbor", Username: "alice", Limit: 3},
	} {
		t.Run(f.Search+f.Username, func(t *testing.T) {
			// Expected: the plain history in order, filtered by the word.
			all, err := e.Tasks.FindTasks(e.Owner, domain.TaskFilter{Username: f.Username, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, task := range all.Tasks {
				if strings.Contains(task.Prompt, f.Search) {
					want = append(want, task.TaskID)
				}
			}
			var got []string
			for f.Cursor = ""; ; {
				page, err := e.Tasks.FindTasks(e.Owner, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, task := range page.Tasks {
					got = append(got, task.TaskID)
				}
				if page.NextCursor == "" {
					break
				}
				f.Cursor = page.NextCursor
			}
			if len(want) < 10 || !slices.Equal(got, want) {
				t.Fatalf("search %q:\ngot  %v\nwant %v", f.Search, got, want)
			}
		})
	}
}
