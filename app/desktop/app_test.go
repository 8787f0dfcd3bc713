package desktop_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/app/hub"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// fixture is an App over a real SQLite file in a temporary folder.
type fixture struct {
	db    *store.DB
	hub   *hub.Hub
	tasks domain.TaskService
	app   *desktop.App
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	dir := tb.TempDir()
	h := hub.New()
	db := store.NewDB(filepath.Join(dir, "reelvault.db"))
	db.Notifier = h
	if err := db.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	m := backup.NewManager(db)
	sched := backup.NewScheduler(m)
	svc := desktop.Services{
		Tasks:   store.NewTaskService(db),
		Users:   store.NewUserService(db),
		Stats:   store.NewStatsService(db),
		Backup:  backup.NewService(sched),
		Export:  store.NewExportService(db),
		Library: store.NewLibraryService(db),
	}
	return &fixture{
		db:    db,
		hub:   h,
		tasks: svc.Tasks,
		app:   desktop.NewApp(svc, desktop.Info{Version: "test", DataDir: dir}),
	}
}

// createTasks creates a user and n pending tasks through the store.
func (f *fixture) createTasks(tb testing.TB, n int) []*domain.Task {
	tb.Helper()
	ctx := domain.WithOwner(context.Background())
	if _, err := f.app.ListUsers(); err != nil {
		tb.Fatal(err)
	}
	if _, err := f.app.CreateUser(domain.UserCreate{Username: "studio"}); err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
		tb.Fatal(err)
	}
	var out []*domain.Task
	for i := 0; i < n; i++ {
		t, err := f.tasks.CreateTask(ctx, domain.TaskCreate{Username: "studio", Prompt: "一只猫 in the rain", TotalScenes: 2})
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, t)
	}
	return out
}

// code returns the code the UI sees for err.
func code(err error) string {
	if err == nil {
		return ""
	}
	return desktop.FormatError(err).(domain.Error).Code
}

func TestApp_Tasks(t *testing.T) {
	f := newFixture(t)
	created := f.createTasks(t, 5)

	t.Run("ListTasksPages", func(t *testing.T) {
		first, err := f.app.ListTasks(domain.TaskFilter{Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(first.Tasks), 3; got != want {
			t.Fatalf("len=%d, want %d", got, want)
		}
		if got, want := first.Tasks[0].TaskID, created[4].TaskID; got != want {
			t.Fatalf("first task=%s, want the newest %s", got, want)
		}
		second, err := f.app.ListTasks(domain.TaskFilter{Limit: 3, Cursor: first.NextCursor})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(second.Tasks), 2; got != want || second.NextCursor != "" {
			t.Fatalf("second page: len=%d cursor=%q, want %d and no cursor", got, second.NextCursor, want)
		}
	})

	t.Run("ErrInvalidCursor", func(t *testing.T) {
		_, err := f.app.ListTasks(domain.TaskFilter{Cursor: "not-a-cursor"})
		ui := desktop.FormatError(err).(domain.Error)
		if ui.Code != domain.EINVALID || ui.Field != "cursor" {
			t.Fatalf("error=%+v, want invalid naming cursor", ui)
		}
	})

	t.Run("GetTask", func(t *testing.T) {
		task, err := f.app.GetTask(created[0].TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := task.Prompt, "一只猫 in the rain"; got != want {
			t.Fatalf("prompt=%q, want %q", got, want)
		}
		if len(task.Events) == 0 {
			t.Fatal("task has no events; GetTask must fill the event log")
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := f.app.GetTask("00000000-0000-0000-0000-000000000000")
		if got, want := code(err), domain.ENOTFOUND; got != want {
			t.Fatalf("code=%q, want %q", got, want)
		}
	})

	t.Run("CountTasks", func(t *testing.T) {
		if _, err := f.app.CancelTask(created[1].TaskID); err != nil {
			t.Fatal(err)
		}
		counts, err := f.app.CountTasks(domain.TaskFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if counts[domain.StatusPending] != 4 || counts[domain.StatusCancelled] != 1 {
			t.Fatalf("counts=%v, want 4 pending and 1 cancelled", counts)
		}
	})

	t.Run("ErrCancelTerminal", func(t *testing.T) {
		_, err := f.app.CancelTask(created[1].TaskID)
		if got, want := code(err), domain.ECONFLICT; got != want {
			t.Fatalf("code=%q, want %q", got, want)
		}
	})

	t.Run("Status", func(t *testing.T) {
		st, err := f.app.Status()
		if err != nil {
			t.Fatal(err)
		}
		if st.Version != "test" || st.Database == nil || st.Database.Counts["tasks"] != 5 {
			t.Fatalf("status=%+v, want version test and 5 tasks", st)
		}
	})

	t.Run("DailyStats", func(t *testing.T) {
		today := time.Now().UTC().Format("2006-01-02")
		days, err := f.app.DailyStats(today, today)
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != 1 || days[0].TotalTasks != 5 {
			t.Fatalf("days=%+v, want one day with 5 tasks", days)
		}
		_, err = f.app.DailyStats("yesterday", "")
		if got, want := code(err), domain.EINVALID; got != want {
			t.Fatalf("bad date: code=%q, want %q", got, want)
		}
	})
}

func TestApp_Users(t *testing.T) {
	f := newFixture(t)
	quota := 5
	created, err := f.app.CreateUser(domain.UserCreate{Username: "studio", Quota: &quota})
	if err != nil {
		t.Fatal(err)
	}
	if len(created.APIKey) < 20 || created.APIKey[:3] != domain.APIKeyPrefix {
		t.Fatalf("key=%q, want a key starting with %s", created.APIKey, domain.APIKeyPrefix)
	}

	t.Run("ErrDuplicate", func(t *testing.T) {
		_, err := f.app.CreateUser(domain.UserCreate{Username: "studio"})
		if got, want := code(err), domain.ECONFLICT; got != want {
			t.Fatalf("code=%q, want %q", got, want)
		}
	})

	t.Run("RotateKey", func(t *testing.T) {
		rotated, err := f.app.RotateKey("studio")
		if err != nil {
			t.Fatal(err)
		}
		if rotated.APIKey == created.APIKey {
			t.Fatal("RotateKey returned the old key")
		}
	})

	t.Run("ErrBadQuotaLeavesUserUnchanged", func(t *testing.T) {
		_, err := f.app.SetUserQuota("studio", -1)
		ui := desktop.FormatError(err).(domain.Error)
		if ui.Code != domain.EINVALID || ui.Field != "quota" {
			t.Fatalf("error=%+v, want invalid naming quota", ui)
		}
		list, err := f.app.ListUsers()
		if err != nil {
			t.Fatal(err)
		}
		if users := list.Users; len(users) != 1 || users[0].Quota != 5 {
			t.Fatalf("users=%+v, want studio with quota 5 still", users)
		}
	})

	t.Run("Deactivate", func(t *testing.T) {
		u, err := f.app.SetUserActive("studio", false)
		if err != nil {
			t.Fatal(err)
		}
		if u.IsActive {
			t.Fatal("user still active")
		}
	})
}

func TestApp_Backups(t *testing.T) {
	f := newFixture(t)
	f.createTasks(t, 3)
	sub := f.hub.Subscribe(0)
	defer sub.Close()

	b, err := f.app.CreateBackup()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.Kind, domain.BackupManual; got != want {
		t.Fatalf("kind=%q, want %q", got, want)
	}
	if got := b.Rows["tasks"]; got != 3 {
		t.Fatalf("backup holds %d tasks, want 3", got)
	}
	// The window shows progress from the hub's backup_progress notifications.
	if !sawNotification(sub, "backup_progress") {
		t.Fatal("no backup_progress notification during CreateBackup")
	}

	backups, err := f.app.ListBackups()
	if err != nil {
		t.Fatal(err)
	}
	if list := backups.Backups; len(list) != 1 || list[0].Name != b.Name {
		t.Fatalf("backups=%+v, want just %s", list, b.Name)
	}

	t.Run("RestoreAndUndo", func(t *testing.T) {
		f.createTasks(t, 2) // 5 tasks now; the backup holds 3
		if _, err := f.app.RestoreBackup(b.Name); err != nil {
			t.Fatal(err)
		}
		if n := countTasks(t, f.app); n != 3 {
			t.Fatalf("after restore: %d tasks, want 3", n)
		}
		if _, err := f.app.UndoRestore(); err != nil {
			t.Fatal(err)
		}
		if n := countTasks(t, f.app); n != 5 {
			t.Fatalf("after undo: %d tasks, want 5", n)
		}
		place, err := f.app.BackupPlace()
		if err != nil || place.Undo == nil || !filepath.IsAbs(place.Dir) {
			t.Fatalf("place=%+v err=%v, want the backups folder and a restore to undo", place, err)
		}
		all, err := f.app.ListBackups()
		if err != nil || len(all.Backups) == 0 {
			t.Fatalf("list=%v err=%v", all, err)
		}
		if all.Undo == nil || all.Dir != place.Dir {
			t.Fatalf("the window's list says dir=%q undo=%+v, want those of BackupPlace", all.Dir, all.Undo)
		}
		newest := all.Backups[0] // newest first
		if got, want := code(f.app.DeleteBackup(newest.Name)), domain.ECONFLICT; got != want {
			t.Fatalf("deleting the newest verified backup %s: code=%q, want %q", newest.Name, got, want)
		}
	})

	t.Run("ErrRestoreUnknown", func(t *testing.T) {
		_, err := f.app.RestoreBackup("no-such-backup.db.zst")
		if got, want := code(err), domain.ENOTFOUND; got != want {
			t.Fatalf("code=%q, want %q", got, want)
		}
		if n := countTasks(t, f.app); n != 5 {
			t.Fatalf("a refused restore changed the data: %d tasks, want 5", n)
		}
	})

	t.Run("Schedule", func(t *testing.T) {
		s, err := f.app.GetSchedule()
		if err != nil {
			t.Fatal(err)
		}
		if runs := s.Next["backup"]; len(runs) != 3 || !runs[0].Before(runs[1]) {
			t.Fatalf("next backups %v, want the next 3, soonest first", runs)
		}
		s.Keep = 3
		s.Backup = "0 2 * * *"
		got, err := f.app.SetSchedule(s.Schedule)
		if err != nil {
			t.Fatal(err)
		}
		if got.Keep != 3 {
			t.Fatalf("keep=%d, want 3", got.Keep)
		}
		if runs := got.Next["backup"]; len(runs) != 3 || runs[0].Local().Hour() != 2 || runs[0].Local().Minute() != 0 {
			t.Fatalf("next backups %v after the change, want 02:00 runs", runs)
		}
	})

	t.Run("ErrBadCron", func(t *testing.T) {
		s, err := f.app.GetSchedule()
		if err != nil {
			t.Fatal(err)
		}
		bad := s.Schedule
		bad.Backup = "every day please"
		_, err = f.app.SetSchedule(bad)
		ui := desktop.FormatError(err).(domain.Error)
		if ui.Code != domain.EINVALID || ui.Field != "backup" {
			t.Fatalf("error=%+v, want invalid naming backup", ui)
		}
		after, err := f.app.GetSchedule()
		if err != nil {
			t.Fatal(err)
		}
		if after.Schedule != s.Schedule {
			t.Fatalf("a refused schedule changed it: %+v, want %+v", after, s)
		}
	})

	t.Run("MaintenanceAndJobs", func(t *testing.T) {
		run, err := f.app.RunMaintenance("check")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := run.Result, domain.JobOK; got != want {
			t.Fatalf("result=%q, want %q", got, want)
		}
		list, err := f.app.ListJobs()
		if err != nil {
			t.Fatal(err)
		}
		if jobs := list.Jobs; len(jobs) == 0 || jobs[0].JobID != "check" {
			t.Fatalf("jobs=%+v, want the check run first", jobs)
		}
		_, err = f.app.RunMaintenance("defragment")
		if got, want := code(err), domain.EINVALID; got != want {
			t.Fatalf("unknown op: code=%q, want %q", got, want)
		}
	})
}

func TestApp_NoBackupService(t *testing.T) {
	f := newFixture(t)
	app := desktop.NewApp(desktop.Services{Tasks: f.tasks}, desktop.Info{})
	for name, call := range map[string]func() error{
		"ListBackups":  func() error { _, err := app.ListBackups(); return err },
		"CreateBackup": func() error { _, err := app.CreateBackup(); return err },
		"GetSchedule":  func() error { _, err := app.GetSchedule(); return err },
		"BackupPlace":  func() error { _, err := app.BackupPlace(); return err },
		"DeleteBackup": func() error { return app.DeleteBackup("x") },
		"OpenBackups":  func() error { return app.OpenBackupsFolder() },
	} {
		if got, want := code(call()), domain.ECONFLICT; got != want {
			t.Fatalf("%s: code=%q, want %q", name, got, want)
		}
	}
}

func countTasks(tb testing.TB, app *desktop.App) int {
	tb.Helper()
	counts, err := app.CountTasks(domain.TaskFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// sawNotification drains what sub has received and reports whether a
// notification of type typ was among it.
func sawNotification(sub *hub.Subscription, typ string) bool {
	for {
		select {
		case m := <-sub.C:
			if m.Notification.Type == typ {
				return true
			}
		default:
			return false
		}
	}
}

// The window's owner manages the media roots through the bindings, as the
// owner session does over HTTP.
func TestApp_MediaRoots(t *testing.T) {
	f := newFixture(t)
	dataDir := t.TempDir()
	app := desktop.NewApp(desktop.Services{Tasks: f.tasks, Media: store.NewMediaService(f.db, dataDir)}, desktop.Info{})
	extra := t.TempDir()
	roots, err := app.AddMediaRoot(extra)
	if err != nil || len(roots.Roots) != 1 || roots.Roots[0] != extra || roots.Default != filepath.Join(dataDir, domain.MediaFolder) {
		t.Fatalf("add: %+v, %v", roots, err)
	}
	if roots, err = app.ListMediaRoots(); err != nil || len(roots.Roots) != 1 {
		t.Fatalf("list: %+v, %v", roots, err)
	}
	if _, err := app.AddMediaRoot("relative"); code(err) != domain.EINVALID {
		t.Fatalf("add a relative path: %v", err)
	}
	if roots, err = app.RemoveMediaRoot(extra); err != nil || len(roots.Roots) != 0 {
		t.Fatalf("remove: %+v, %v", roots, err)
	}

	bare := desktop.NewApp(desktop.Services{Tasks: f.tasks}, desktop.Info{})
	for name, call := range map[string]func() error{
		"ListMediaRoots":  func() error { _, err := bare.ListMediaRoots(); return err },
		"AddMediaRoot":    func() error { _, err := bare.AddMediaRoot(extra); return err },
		"RemoveMediaRoot": func() error { _, err := bare.RemoveMediaRoot(extra); return err },
	} {
		if got, want := code(call()), domain.ENOTFOUND; got != want {
			t.Fatalf("%s without a media service: code=%q, want %q", name, got, want)
		}
	}
}
