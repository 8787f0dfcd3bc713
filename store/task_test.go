package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

func TestTaskService_CreateTask(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := newEnv(t)
		u, _, uctx := e.MustCreateUser(t, "alice", 10)
		task, err := e.Tasks.CreateTask(uctx, domain.TaskCreate{Prompt: "A fox in the snow", TotalScenes: 4})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := task.Status, domain.StatusPending; got != want {
			t.Fatalf("status=%q, want %q", got, want)
		}
		if task.UserID != u.ID || task.Username != "alice" || task.TotalScenes != 4 || task.Progress != 0 {
			t.Fatalf("unexpected task %+v", task)
		}
		if !task.CreatedAt.Equal(e.Clock.Now()) || !task.UpdatedAt.Equal(e.Clock.Now()) {
			t.Fatalf("created_at=%v updated_at=%v, want %v", task.CreatedAt, task.UpdatedAt, e.Clock.Now())
		}
		if len(task.TaskID) != 36 {
			t.Fatalf("task_id=%q, want a UUID", task.TaskID)
		}
		got, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Events) != 1 || got.Events[0].Type != domain.EventCreated || got.Events[0].Status != domain.StatusPending {
			t.Fatalf("events=%+v, want one created event", got.Events)
		}
		u, err = e.Users.FindUserByID(e.Owner, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.UsedQuota != 1 {
			t.Fatalf("used_quota=%d, want 1", u.UsedQuota)
		}
	})

	t.Run("OwnerNamesUser", func(t *testing.T) {
		e := newEnv(t)
		u, _, _ := e.MustCreateUser(t, "alice", 10)
		byName := e.MustCreateTask(t, e.Owner, domain.TaskCreate{Username: "alice", Prompt: "p"})
		byID := e.MustCreateTask(t, e.Owner, domain.TaskCreate{UserID: u.ID, Prompt: "p"})
		if byName.UserID != u.ID || byID.UserID != u.ID {
			t.Fatalf("user ids %d and %d, want %d", byName.UserID, byID.UserID, u.ID)
		}
	})

	t.Run("SQLStoredLiterally", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 10)
		for _, prompt := range []string{
			`'); DROP TABLE tasks; --`,
			`" OR 1=1 --`,
			`Robert'); DELETE FROM users WHERE ('1'='1`,
			"tab\tnewline\r\nend",
		} {
			task := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: prompt})
			got, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Prompt != prompt {
				t.Fatalf("prompt=%q, want %q", got.Prompt, prompt)
			}
		}
		if n := e.Count(t, "users"); n != 1 {
			t.Fatalf("users=%d, want 1", n)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 10)
		before := e.Counts(t)
		for _, tt := range []struct {
			name  string
			in    domain.TaskCreate
			field string
		}{
			{"EmptyPrompt", domain.TaskCreate{Prompt: ""}, "prompt"},
			{"BlankPrompt", domain.TaskCreate{Prompt: " \t\n"}, "prompt"},
			{"LongPrompt", domain.TaskCreate{Prompt: strings.Repeat("森", domain.MaxPromptChars+1)}, "prompt"},
			{"InvalidUTF8", domain.TaskCreate{Prompt: "bad \xff\xfe bytes"}, "prompt"},
			{"NULInPrompt", domain.TaskCreate{Prompt: "nul\x00end"}, "prompt"},
			{"NegativeScenes", domain.TaskCreate{Prompt: "p", TotalScenes: -1}, "total_scenes"},
			{"TooManyScenes", domain.TaskCreate{Prompt: "p", TotalScenes: domain.MaxScenes + 1}, "total_scenes"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.Tasks.CreateTask(uctx, tt.in)
				AssertCode(t, err, domain.EINVALID, tt.field)
			})
		}
		if after := e.Counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("rows changed: %v → %v", before, after)
		}
		u, err := e.Users.FindUserByName(e.Owner, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if u.UsedQuota != 0 {
			t.Fatalf("used_quota=%d, want 0", u.UsedQuota)
		}
	})

	t.Run("PromptAtLimit", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 10)
		e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: strings.Repeat("森", domain.MaxPromptChars)})
	})

	t.Run("ErrAccess", func(t *testing.T) {
		e := newEnv(t)
		alice, _, actx := e.MustCreateUser(t, "alice", 10)
		bob, _, _ := e.MustCreateUser(t, "bob", 10)
		_ = alice
		for _, tt := range []struct {
			name string
			ctx  context.Context
			in   domain.TaskCreate
			code string
		}{
			{"NoActor", context.Background(), domain.TaskCreate{Prompt: "p", Username: "alice"}, domain.EUNAUTHORIZED},
			{"OtherUserByID", actx, domain.TaskCreate{Prompt: "p", UserID: bob.ID}, domain.EFORBIDDEN},
			{"OtherUserByName", actx, domain.TaskCreate{Prompt: "p", Username: "bob"}, domain.EFORBIDDEN},
			{"OwnerWithoutUser", e.Owner, domain.TaskCreate{Prompt: "p"}, domain.EINVALID},
			{"UnknownUser", e.Owner, domain.TaskCreate{Prompt: "p", Username: "carol"}, domain.ENOTFOUND},
			{"UnknownActor", domain.WithUser(context.Background(), 999), domain.TaskCreate{Prompt: "p"}, domain.ENOTFOUND},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.Tasks.CreateTask(tt.ctx, tt.in)
				AssertCode(t, err, tt.code, "")
			})
		}
		if n := e.Count(t, "tasks"); n != 0 {
			t.Fatalf("tasks=%d, want 0", n)
		}
	})

	t.Run("ErrQuotaExceeded", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 2)
		e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "one"})
		e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "two"})
		before := e.Counts(t)
		_, err := e.Tasks.CreateTask(uctx, domain.TaskCreate{Prompt: "three"})
		AssertCode(t, err, domain.EQUOTAEXCEEDED, "")
		if after := e.Counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("rows changed: %v → %v", before, after)
		}
		// Raising the quota lets the user continue.
		if _, err := e.Users.SetQuota(e.Owner, "alice", 3); err != nil {
			t.Fatal(err)
		}
		e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "three"})
	})

	t.Run("ErrInactiveUser", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 2)
		if _, err := e.Users.SetActive(e.Owner, "alice", false); err != nil {
			t.Fatal(err)
		}
		_, err := e.Tasks.CreateTask(uctx, domain.TaskCreate{Prompt: "p"})
		AssertCode(t, err, domain.EFORBIDDEN, "")
		_, err = e.Tasks.CreateTask(e.Owner, domain.TaskCreate{Prompt: "p", Username: "alice"})
		AssertCode(t, err, domain.EFORBIDDEN, "")
	})

	// Many concurrent creates for a user one below its quota, through two
	// DB handles on the same file (as two processes would): exactly one wins.
	t.Run("QuotaRace", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 5)
		for i := 0; i < 4; i++ {
			e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "p"})
		}
		other := store.NewDB(e.DB.Path)
		if err := other.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		services := []*store.TaskService{e.Tasks, store.NewTaskService(other)}

		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = services[i%2].CreateTask(uctx, domain.TaskCreate{Prompt: fmt.Sprint("race ", i)})
			}()
		}
		close(start)
		wg.Wait()
		var ok, exceeded int
		for _, err := range errs {
			switch domain.ErrorCode(err) {
			case "":
				ok++
			case domain.EQUOTAEXCEEDED:
				exceeded++
			default:
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if ok != 1 || exceeded != n-1 {
			t.Fatalf("ok=%d exceeded=%d, want 1 and %d", ok, exceeded, n-1)
		}
		if got := e.Count(t, "tasks"); got != 5 {
			t.Fatalf("tasks=%d, want 5", got)
		}
	})
}

// op is one lifecycle operation under test.
type op struct {
	name string
	to   domain.Status
	run  func(e *env, ctx context.Context, id string) (*domain.Task, error)
}

var lifecycleOps = []op{
	{"Start", domain.StatusProcessing, func(e *env, ctx context.Context, id string) (*domain.Task, error) {
		return e.Tasks.StartTask(ctx, id)
	}},
	{"Progress", domain.StatusProcessing, func(e *env, ctx context.Context, id string) (*domain.Task, error) {
		return e.Tasks.UpdateProgress(ctx, id, domain.TaskProgress{Progress: 30})
	}},
	{"Complete", domain.StatusCompleted, func(e *env, ctx context.Context, id string) (*domain.Task, error) {
		return e.Tasks.CompleteTask(ctx, id, "/videos/final.mp4")
	}},
	{"Fail", domain.StatusFailed, func(e *env, ctx context.Context, id string) (*domain.Task, error) {
		return e.Tasks.FailTask(ctx, id, "the model timed out")
	}},
	{"Cancel", domain.StatusCancelled, func(e *env, ctx context.Context, id string) (*domain.Task, error) {
		return e.Tasks.CancelTask(ctx, id)
	}},
}

// allowed lists the states each operation may start from.
var allowed = map[string][]domain.Status{
	"Start":    {domain.StatusPending},
	"Progress": {domain.StatusProcessing},
	"Complete": {domain.StatusProcessing},
	"Fail":     {domain.StatusPending, domain.StatusProcessing},
	"Cancel":   {domain.StatusPending, domain.StatusProcessing},
}

// mustTaskIn creates a task and drives it into status.
func mustTaskIn(t *testing.T, e *env, ctx context.Context, status domain.Status) *domain.Task {
	t.Helper()
	task := e.MustCreateTask(t, ctx, domain.TaskCreate{Prompt: "lifecycle", TotalScenes: 2})
	var err error
	switch status {
	case domain.StatusPending:
	case domain.StatusProcessing:
		task, err = e.Tasks.StartTask(ctx, task.TaskID)
	case domain.StatusCompleted:
		if _, err = e.Tasks.StartTask(ctx, task.TaskID); err == nil {
			task, err = e.Tasks.CompleteTask(ctx, task.TaskID, "/videos/done.mp4")
		}
	case domain.StatusFailed:
		task, err = e.Tasks.FailTask(ctx, task.TaskID, "broken")
	case domain.StatusCancelled:
		task, err = e.Tasks.CancelTask(ctx, task.TaskID)
	}
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func TestTaskService_Lifecycle(t *testing.T) {
	e := newEnv(t)
	_, _, uctx := e.MustCreateUser(t, "alice", 1000)
	for _, o := range lifecycleOps {
		for _, from := range domain.Statuses {
			ok := false
			for _, st := range allowed[o.name] {
				ok = ok || st == from
			}
			name := fmt.Sprintf("%s/From%s", o.name, strings.ToUpper(string(from[0]))+string(from[1:]))
			t.Run(name, func(t *testing.T) {
				task := mustTaskIn(t, e, uctx, from)
				before, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
				if err != nil {
					t.Fatal(err)
				}
				counts := e.Counts(t)
				e.Clock.Advance(time.Second)
				got, err := o.run(e, uctx, task.TaskID)
				if !ok {
					AssertCode(t, err, domain.ECONFLICT, "")
					msg := domain.ErrorMessage(err)
					if !strings.Contains(msg, string(from)) || !strings.Contains(msg, string(o.to)) {
						t.Fatalf("message %q does not name %s and %s", msg, from, o.to)
					}
					after, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(after, before) || fmt.Sprint(e.Counts(t)) != fmt.Sprint(counts) {
						t.Fatal("a refused transition wrote something")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != o.to {
					t.Fatalf("status=%q, want %q", got.Status, o.to)
				}
				if !got.UpdatedAt.Equal(e.Clock.Now()) {
					t.Fatalf("updated_at=%v, want %v", got.UpdatedAt, e.Clock.Now())
				}
				if o.to.Terminal() && (got.CompletedAt == nil || !got.CompletedAt.Equal(e.Clock.Now())) {
					t.Fatalf("completed_at=%v, want %v", got.CompletedAt, e.Clock.Now())
				}
				stored, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
				if err != nil {
					t.Fatal(err)
				}
				if stored.Status != o.to {
					t.Fatalf("stored status=%q, want %q", stored.Status, o.to)
				}
			})
		}
	}
}

func TestTaskService_StartTask(t *testing.T) {
	e := newEnv(t)
	_, _, uctx := e.MustCreateUser(t, "alice", 10)
	task := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "p"})
	e.Clock.Advance(time.Minute)
	got, err := e.Tasks.StartTask(uctx, task.TaskID)
	if err != nil {
		t.Fatal(err)
	}
	if got.StartedAt == nil || !got.StartedAt.Equal(e.Clock.Now()) {
		t.Fatalf("started_at=%v, want %v", got.StartedAt, e.Clock.Now())
	}
	_, err = e.Tasks.StartTask(uctx, "00000000-0000-0000-0000-000000000000")
	AssertCode(t, err, domain.ENOTFOUND, "")
}

func TestTaskService_UpdateProgress(t *testing.T) {
	t.Run("Milestones", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 10)
		task := mustTaskIn(t, e, uctx, domain.StatusProcessing)
		three := 1
		steps := []domain.TaskProgress{
			{Progress: 10},                          // no milestone
			{Progress: 25},                          // milestone
			{Progress: 40},                          // no milestone
			{Progress: 45, CompletedScenes: &three}, // scene count changed
			{Progress: 80},                          // milestone
		}
		for _, p := range steps {
			if _, err := e.Tasks.UpdateProgress(uctx, task.TaskID, p); err != nil {
				t.Fatal(err)
			}
		}
		got, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Progress != 80 || got.CompletedScenes != 1 {
			t.Fatalf("progress=%d scenes=%d, want 80 and 1", got.Progress, got.CompletedScenes)
		}
		var progress []int
		for _, ev := range got.Events {
			if ev.Type == domain.EventProgress {
				progress = append(progress, ev.Progress)
			}
		}
		if got, want := fmt.Sprint(progress), "[25 45 80]"; got != want {
			t.Fatalf("progress events=%s, want %s", got, want)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 10)
		task := mustTaskIn(t, e, uctx, domain.StatusProcessing) // 2 scenes
		if _, err := e.Tasks.UpdateProgress(uctx, task.TaskID, domain.TaskProgress{Progress: 20}); err != nil {
			t.Fatal(err)
		}
		before := e.Counts(t)
		neg, three := -1, 3
		for _, tt := range []struct {
			name  string
			in    domain.TaskProgress
			field string
		}{
			{"Negative", domain.TaskProgress{Progress: -1}, "progress"},
			{"Over100", domain.TaskProgress{Progress: 101}, "progress"},
			{"NegativeScenes", domain.TaskProgress{Progress: 50, CompletedScenes: &neg}, "completed_scenes"},
			{"MoreScenesThanTotal", domain.TaskProgress{Progress: 50, CompletedScenes: &three}, "completed_scenes"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.Tasks.UpdateProgress(uctx, task.TaskID, tt.in)
				AssertCode(t, err, domain.EINVALID, tt.field)
			})
		}
		got, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Progress != 20 || got.CompletedScenes != 0 {
			t.Fatalf("progress=%d scenes=%d, want 20 and 0", got.Progress, got.CompletedScenes)
		}
		if after := e.Counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("rows changed: %v → %v", before, after)
		}
	})
}

func TestTaskService_CompleteTask(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 10)
		task := mustTaskIn(t, e, uctx, domain.StatusProcessing)
		e.Clock.Advance(90 * time.Second)
		got, err := e.Tasks.CompleteTask(uctx, task.TaskID, "/videos/final.mp4")
		if err != nil {
			t.Fatal(err)
		}
		if got.Duration == nil || *got.Duration != 90 {
			t.Fatalf("duration=%v, want 90", got.Duration)
		}
		if got.Progress != 100 || got.CompletedScenes != got.TotalScenes || got.FinalVideoPath != "/videos/final.mp4" {
			t.Fatalf("unexpected task %+v", got)
		}
		full, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if len(full.Videos) != 1 || full.Videos[0].SceneNumber != domain.FinalScene || full.Videos[0].FilePath != "/videos/final.mp4" {
			t.Fatalf("videos=%+v, want the final video as scene 0", full.Videos)
		}
		if last := full.Events[len(full.Events)-1]; last.Type != domain.EventCompleted || last.Status != domain.StatusCompleted {
			t.Fatalf("last event=%+v, want completed", last)
		}
	})

	t.Run("ErrInvalidPath", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 10)
		task := mustTaskIn(t, e, uctx, domain.StatusProcessing)
		for _, p := range []string{"", "  ", "bad\xffpath"} {
			_, err := e.Tasks.CompleteTask(uctx, task.TaskID, p)
			AssertCode(t, err, domain.EINVALID, "final_video_path")
		}
		got, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != domain.StatusProcessing {
			t.Fatalf("status=%q, want processing", got.Status)
		}
	})
}

func TestTaskService_FailTask(t *testing.T) {
	e := newEnv(t)
	_, _, uctx := e.MustCreateUser(t, "alice", 10)
	task := mustTaskIn(t, e, uctx, domain.StatusProcessing)
	for _, msg := range []string{"", "   ", "\xff"} {
		_, err := e.Tasks.FailTask(uctx, task.TaskID, msg)
		AssertCode(t, err, domain.EINVALID, "message")
	}
	got, err := e.Tasks.FailTask(uctx, task.TaskID, "GPU out of memory at scene 2")
	if err != nil {
		t.Fatal(err)
	}
	if got.ErrorMessage != "GPU out of memory at scene 2" || got.Duration == nil {
		t.Fatalf("unexpected task %+v", got)
	}
	full, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
	if err != nil {
		t.Fatal(err)
	}
	last := full.Events[len(full.Events)-1]
	if last.Type != domain.EventFailed || last.Message != "GPU out of memory at scene 2" {
		t.Fatalf("last event=%+v, want the failure with its message", last)
	}
}

func TestTaskService_Ownership(t *testing.T) {
	e := newEnv(t)
	_, _, actx := e.MustCreateUser(t, "alice", 10)
	_, _, bctx := e.MustCreateUser(t, "bob", 10)
	task := mustTaskIn(t, e, actx, domain.StatusProcessing)
	video, err := e.Tasks.AddVideo(actx, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: "/v/1.mp4"})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OtherUserSeesNotFound", func(t *testing.T) {
		before := e.Counts(t)
		calls := map[string]func() error{
			"FindTaskByID": func() error { _, err := e.Tasks.FindTaskByID(bctx, task.TaskID); return err },
			"UpdateProgress": func() error {
				_, err := e.Tasks.UpdateProgress(bctx, task.TaskID, domain.TaskProgress{Progress: 50})
				return err
			},
			"Complete":  func() error { _, err := e.Tasks.CompleteTask(bctx, task.TaskID, "/x.mp4"); return err },
			"Fail":      func() error { _, err := e.Tasks.FailTask(bctx, task.TaskID, "x"); return err },
			"Cancel":    func() error { _, err := e.Tasks.CancelTask(bctx, task.TaskID); return err },
			"SetScript": func() error { _, err := e.Tasks.SetScripts(bctx, task.TaskID, nil); return err },
			"AddVideo": func() error {
				_, err := e.Tasks.AddVideo(bctx, task.TaskID, domain.VideoInput{SceneNumber: 2, FilePath: "/x.mp4"})
				return err
			},
			"FindVideoByID": func() error { _, err := e.Tasks.FindVideoByID(bctx, video.ID); return err },
			"Heartbeat":     func() error { _, err := e.Tasks.HeartbeatTask(bctx, task.TaskID, "w", 0); return err },
		}
		for name, call := range calls {
			t.Run(name, func(t *testing.T) { AssertCode(t, call(), domain.ENOTFOUND, "") })
		}
		if after := e.Counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("rows changed: %v → %v", before, after)
		}
		page, err := e.Tasks.FindTasks(bctx, domain.TaskFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Tasks) != 0 {
			t.Fatalf("bob sees %d tasks, want 0", len(page.Tasks))
		}
		counts, err := e.Tasks.CountTasksByStatus(bctx, domain.TaskFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if counts[domain.StatusProcessing] != 0 {
			t.Fatalf("bob counts %v, want none", counts)
		}
	})

	t.Run("OwnerSeesAll", func(t *testing.T) {
		if _, err := e.Tasks.FindTaskByID(e.Owner, task.TaskID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Tasks.FindVideoByID(e.Owner, video.ID); err != nil {
			t.Fatal(err)
		}
		page, err := e.Tasks.FindTasks(e.Owner, domain.TaskFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Tasks) != 1 {
			t.Fatalf("owner sees %d tasks, want 1", len(page.Tasks))
		}
	})

	t.Run("ErrNoActor", func(t *testing.T) {
		ctx := context.Background()
		_, err := e.Tasks.FindTaskByID(ctx, task.TaskID)
		AssertCode(t, err, domain.EUNAUTHORIZED, "")
		_, err = e.Tasks.FindTasks(ctx, domain.TaskFilter{})
		AssertCode(t, err, domain.EUNAUTHORIZED, "")
		_, err = e.Tasks.CancelTask(ctx, task.TaskID)
		AssertCode(t, err, domain.EUNAUTHORIZED, "")
	})
}

// TestTaskService_Concurrent runs writers and readers at once on one DB and
// on a second handle to the same file: nobody sees "database is locked".
func TestTaskService_Concurrent(t *testing.T) {
	e := newEnv(t)
	_, _, uctx := e.MustCreateUser(t, "alice", 100000)
	other := store.NewDB(e.DB.Path)
	if err := other.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	services := []*store.TaskService{e.Tasks, store.NewTaskService(other)}

	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*4)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := services[w%2]
			for i := range each {
				task, err := s.CreateTask(uctx, domain.TaskCreate{Prompt: fmt.Sprintf("worker %d task %d", w, i), TotalScenes: 1})
				if err != nil {
					errs <- err
					return
				}
				if _, err := s.StartTask(uctx, task.TaskID); err != nil {
					errs <- err
				}
				if _, err := s.FindTaskByID(uctx, task.TaskID); err != nil {
					errs <- err
				}
				if _, err := s.FindTasks(uctx, domain.TaskFilter{Limit: 10}); err != nil {
					errs <- err
				}
				if _, err := s.CompleteTask(uctx, task.TaskID, "/v/final.mp4"); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
			t.Fatalf("database busy: %v", err)
		}
		t.Fatal(err)
	}
	counts, err := e.Tasks.CountTasksByStatus(uctx, domain.TaskFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if counts[domain.StatusCompleted] != workers*each {
		t.Fatalf("completed=%d, want %d", counts[domain.StatusCompleted], workers*each)
	}
}

func TestTaskService_Persistence(t *testing.T) {
	ctx := domain.WithOwner(context.Background())
	e := newEnv(t)
	_, _, uctx := e.MustCreateUser(t, "alice", 10)
	task := mustTaskIn(t, e, uctx, domain.StatusCompleted)
	if err := e.DB.Close(); err != nil {
		t.Fatal(err)
	}

	db := store.NewDB(e.DB.Path)
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := store.NewTaskService(db).FindTaskByID(ctx, task.TaskID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusCompleted || got.Prompt != task.Prompt || len(got.Events) != 3 || len(got.Videos) != 1 {
		t.Fatalf("after reopen: %+v", got)
	}
	u, err := store.NewUserService(db).FindUserByName(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if u.UsedQuota != 1 {
		t.Fatalf("used_quota=%d, want 1", u.UsedQuota)
	}
}

func TestTaskService_Notifier(t *testing.T) {
	e := newEnv(t)
	rec := &recorder{}
	e.DB.Notifier = rec
	_, _, uctx := e.MustCreateUser(t, "alice", 10)
	task := mustTaskIn(t, e, uctx, domain.StatusProcessing)
	// Progress between milestones writes no event but is still notified.
	if _, err := e.Tasks.UpdateProgress(uctx, task.TaskID, domain.TaskProgress{Progress: 10}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Tasks.CompleteTask(uctx, task.TaskID, "/v.mp4"); err != nil {
		t.Fatal(err)
	}
	// A refused change notifies nobody.
	if _, err := e.Tasks.CancelTask(uctx, task.TaskID); err == nil {
		t.Fatal("cancel of a completed task succeeded")
	}
	var got []string
	for _, n := range rec.all() {
		if n.TaskID != task.TaskID || n.Type != "task" {
			t.Fatalf("unexpected notification %+v", n)
		}
		got = append(got, string(n.Status))
	}
	if want := "[pending processing processing completed]"; fmt.Sprint(got) != want {
		t.Fatalf("notifications=%v, want %s", got, want)
	}
}

// recorder is a domain.Notifier that keeps what it is told.
type recorder struct {
	mu    sync.Mutex
	notes []domain.Notification
}

func (r *recorder) Notify(n domain.Notification) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, n)
}

func (r *recorder) all() []domain.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]domain.Notification(nil), r.notes...)
}
