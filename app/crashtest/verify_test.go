package crashtest_test

import (
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// observe turns a task as the API returns it into the workload's state.
func observe(t *domain.Task) state {
	s := state{Status: t.Status, Progress: t.Progress, Scripts: len(t.Scripts)}
	for _, v := range t.Videos {
		if v.SceneNumber != domain.FinalScene {
			s.Videos++
		}
	}
	return s
}

// same reports whether the observable parts of two states agree.
func same(a, b state) bool {
	return a.Status == b.Status && a.Progress == b.Progress && a.Scripts == b.Scripts && a.Videos == b.Videos
}

// checkTaskShape checks what must hold for any task whatever the crash: the
// event log starts with "created", follows the lifecycle, and ends in the
// task's own status and progress; a completed task has its final video; a
// script batch is never half there.
func checkTaskShape(t *domain.Task, clip string) error {
	if len(t.Events) == 0 || t.Events[0].Type != domain.EventCreated || t.Events[0].Status != domain.StatusPending {
		return fmt.Errorf("task %s: event log does not start with a pending %q event: %+v", t.TaskID, domain.EventCreated, t.Events)
	}
	last := t.Events[len(t.Events)-1]
	if last.Status != t.Status || last.Progress != t.Progress {
		return fmt.Errorf("task %s is %s at %d%% but its last event %q says %s at %d%%", t.TaskID, t.Status, t.Progress, last.Type, last.Status, last.Progress)
	}
	prev := domain.StatusPending
	for _, e := range t.Events[1:] {
		if !validStep(prev, e.Status) {
			return fmt.Errorf("task %s: event %q moves %s → %s", t.TaskID, e.Type, prev, e.Status)
		}
		prev = e.Status
	}
	if t.Scripts != nil && len(t.Scripts) != 2 {
		return fmt.Errorf("task %s has %d of its 2 scene scripts: a batch was half written", t.TaskID, len(t.Scripts))
	}
	var final int
	for _, v := range t.Videos {
		if v.SceneNumber == domain.FinalScene {
			final++
			if v.FilePath != clip {
				return fmt.Errorf("task %s: final video %q, want %q", t.TaskID, v.FilePath, clip)
			}
		}
	}
	if want := t.Status == domain.StatusCompleted; (final == 1) != want || final > 1 {
		return fmt.Errorf("task %s is %s with %d final videos", t.TaskID, t.Status, final)
	}
	if t.Status.Terminal() != (t.CompletedAt != nil) {
		return fmt.Errorf("task %s is %s, completed_at %v", t.TaskID, t.Status, t.CompletedAt)
	}
	return nil
}

// validStep reports whether the lifecycle allows an event's status after prev.
func validStep(prev, next domain.Status) bool {
	switch prev {
	case domain.StatusPending:
		return next == domain.StatusPending || next == domain.StatusProcessing || next == domain.StatusCancelled || next == domain.StatusFailed
	case domain.StatusProcessing:
		return next == domain.StatusProcessing || next.Terminal()
	}
	return false // nothing follows a terminal state
}

// verifyTasks reads each task through the API of a freshly started server
// and checks it against the ledger: every acknowledged step is there, a lost
// step is either wholly there or wholly absent, and the task's shape holds.
// The ledger then takes what was found as acknowledged. all=false checks
// only the tasks the last round touched.
func (l *ledger) verifyTasks(t *testing.T, clients []*client, clip string, all bool, dirty map[string]state) int {
	t.Helper()
	l.mu.Lock()
	recs := make([]*taskRec, 0, len(l.tasks))
	for _, r := range l.tasks {
		if all || r.Flight != nil || dirty == nil || dirty[r.ID] != r.Acked {
			recs = append(recs, r)
		}
	}
	l.mu.Unlock()
	for _, r := range recs {
		var task domain.Task
		if _, err := clients[r.User].do("GET", "/api/v1/tasks/"+r.ID, nil, &task); err != nil {
			t.Fatalf("acknowledged task %s after restart: %v", r.ID, err)
		}
		if err := checkTaskShape(&task, clip); err != nil {
			t.Fatal(err)
		}
		got := observe(&task)
		switch {
		case same(got, r.Acked):
		case r.Flight != nil && same(got, *r.Flight):
			r.Acked = *r.Flight
		default:
			t.Fatalf("task %s after restart is %+v; acknowledged %+v, in flight %+v", r.ID, got, r.Acked, r.Flight)
		}
		r.Flight = nil
	}
	return len(recs)
}

// snapshot returns each task's acknowledged state, to find what a round touched.
func (l *ledger) snapshot() map[string]state {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := make(map[string]state, len(l.tasks))
	for id, r := range l.tasks {
		m[id] = r.Acked
	}
	return m
}

// checkFile checks the database file of a killed server directly: SQLite's
// own integrity checks, each user's quota against its tasks, every task's
// last event against its status, and the statistics' totals against the
// tasks. Tasks whose create response was lost are adopted into the ledger
// (at most as many as were lost, and only as untouched pending tasks).
func (l *ledger) checkFile(t *testing.T, db *sql.DB, usernames []string, rng *rand.Rand) {
	t.Helper()
	checkIntegrity(t, db)

	rows, err := db.Query(`
		SELECT u.username, u.used_quota, COUNT(t.id)
		FROM users u LEFT JOIN tasks t ON t.user_id = u.id
		GROUP BY u.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var used, n int
		if err := rows.Scan(&name, &used, &n); err != nil {
			t.Fatal(err)
		}
		if used != n {
			t.Fatalf("user %s: used_quota %d but %d tasks: the quota charge and the task were not one transaction", name, used, n)
		}
	}
	rows.Close()

	type taskRow struct {
		taskID, user, status string
		lastStatus           sql.NullString
		created, events      int
	}
	rows, err = db.Query(`
		SELECT t.task_id, u.username, t.status,
			(SELECT e.status FROM task_events e WHERE e.task_id = t.id ORDER BY e.id DESC LIMIT 1),
			(SELECT COUNT(*) FROM task_events e WHERE e.task_id = t.id AND e.type = 'created'),
			(SELECT COUNT(*) FROM task_events e WHERE e.task_id = t.id)
		FROM tasks t JOIN users u ON u.id = t.user_id`)
	if err != nil {
		t.Fatal(err)
	}
	var all []taskRow
	for rows.Next() {
		var r taskRow
		if err := rows.Scan(&r.taskID, &r.user, &r.status, &r.lastStatus, &r.created, &r.events); err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	rows.Close()

	l.mu.Lock()
	defer l.mu.Unlock()
	adopted := make([]int, len(usernames))
	counts := map[domain.Status]int{}
	for _, r := range all {
		counts[domain.Status(r.status)]++
		if r.created != 1 || !r.lastStatus.Valid || r.lastStatus.String != r.status {
			t.Fatalf("task %s is %s; its event log has %d created events and ends in %q", r.taskID, r.status, r.created, r.lastStatus.String)
		}
		if _, ok := l.tasks[r.taskID]; ok {
			continue
		}
		u := slices.Index(usernames, r.user)
		if u < 0 {
			t.Fatalf("task %s of unknown user %q", r.taskID, r.user)
		}
		if r.status != string(domain.StatusPending) || r.events != 1 {
			t.Fatalf("task %s was never acknowledged yet is %s with %d events", r.taskID, r.status, r.events)
		}
		adopted[u]++
		// Worker u is one of user u's workers (worker i writes as user i mod users).
		rec := &taskRec{ID: r.taskID, User: u, Worker: u, Finish: randomFinish(rng)}
		rec.Acked = state{}.after(rec.Finish)
		l.tasks[r.taskID] = rec
	}
	for u := range usernames {
		if adopted[u] > l.lostCreates[u] {
			t.Fatalf("user %s: %d tasks nobody acknowledged, but only %d create responses were lost", usernames[u], adopted[u], l.lostCreates[u])
		}
		l.lostCreates[u] = 0 // the process is dead: the rest never committed
	}
	if len(all) != len(l.tasks) {
		t.Fatalf("%d tasks in the file, %d in the ledger: an acknowledged create is missing", len(all), len(l.tasks))
	}

	var total, completed, failed, cancelled int
	if err := db.QueryRow(`
		SELECT COALESCE(SUM(total_tasks), 0), COALESCE(SUM(completed_tasks), 0),
			COALESCE(SUM(failed_tasks), 0), COALESCE(SUM(cancelled_tasks), 0)
		FROM statistics`).Scan(&total, &completed, &failed, &cancelled); err != nil {
		t.Fatal(err)
	}
	if total != len(all) || completed != counts[domain.StatusCompleted] || failed != counts[domain.StatusFailed] || cancelled != counts[domain.StatusCancelled] {
		t.Fatalf("statistics say %d tasks (%d completed, %d failed, %d cancelled); the tasks table has %d (%v)",
			total, completed, failed, cancelled, len(all), counts)
	}
}

// sameStats compares two statistics listings field by field (times within
// a microsecond: they are averages of stored microseconds).
func sameStats(a, b []*domain.DayStats) error {
	if len(a) != len(b) {
		return fmt.Errorf("%d days, %d after the rebuild", len(a), len(b))
	}
	near := func(x, y float64) bool { return math.Abs(x-y) < 1e-6 }
	for i := range a {
		x, y := a[i], b[i]
		if x.Date != y.Date || x.TotalTasks != y.TotalTasks || x.CompletedTasks != y.CompletedTasks ||
			x.FailedTasks != y.FailedTasks || x.CancelledTasks != y.CancelledTasks || x.TotalVideos != y.TotalVideos ||
			!near(x.TotalVideoSeconds, y.TotalVideoSeconds) || !near(x.AvgGenerationTime, y.AvgGenerationTime) ||
			!near(x.P95GenerationTime, y.P95GenerationTime) {
			return fmt.Errorf("day %s: kept %+v, rebuilt %+v", x.Date, *x, *y)
		}
	}
	return nil
}
