package desktop

import (
	"context"
	"sync"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
)

// Services are the services the window's bindings call.
type Services struct {
	Tasks domain.TaskService
	Users domain.UserService
	Stats domain.StatsService
	// Backup takes and restores backups; nil when the store is not the
	// local SQLite file (the backup bindings then answer ECONFLICT).
	Backup *backup.Manager
	// Notifier receives backup progress and restore notifications, which
	// the window forwards as events (the hub). Optional.
	Notifier domain.Notifier
}

// Info describes the running window for the UI's status bar and empty states.
type Info struct {
	Version string `json:"version"`
	DataDir string `json:"data_dir"`
	// APIURL is the base URL of the HTTP API served on loopback while the
	// window is open ("" when it could not be started), for the copyable
	// curl line of the empty history.
	APIURL string `json:"api_url,omitempty"`
}

// Status is the answer of App.Status.
type Status struct {
	Info
	Database *domain.DBStatus `json:"database"`
}

// UserWithKey is a user together with its new API key, which is shown once.
type UserWithKey struct {
	User   *domain.User `json:"user"`
	APIKey string       `json:"api_key"`
}

// App is the struct bound to the window: each exported method becomes a
// function of the generated frontend/wailsjs/go/desktop/App module, returning
// a promise that resolves with the JSON of the result or rejects with a
// UIError. Every call acts as the local owner.
//
// The JSON shapes are those of the HTTP API, so the frontend's API module can
// treat both transports alike.
type App struct {
	svc  Services
	info Info

	mu        sync.Mutex
	ctx       context.Context // the Wails runtime context, once the window started
	firstPage func(rows int)  // called once, when the first history page is painted
	painted   bool
}

// NewApp returns an App over svc.
func NewApp(svc Services, info Info) *App {
	return &App{svc: svc, info: info, ctx: context.Background()}
}

// setContext stores the Wails runtime context; later calls run under it.
func (a *App) setContext(ctx context.Context) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ctx = ctx
}

// context returns the context of a call: the runtime context with the local
// owner as actor.
func (a *App) context() context.Context {
	a.mu.Lock()
	defer a.mu.Unlock()
	return domain.WithOwner(a.ctx)
}

// Status returns the version, data dir, API URL and database status.
func (a *App) Status() (*Status, error) {
	st, err := a.svc.Stats.Status(a.context())
	if err != nil {
		return nil, err
	}
	return &Status{Info: a.info, Database: st}, nil
}

// ListTasks returns one page of tasks, newest first. Pass the previous
// page's next_cursor as filter.cursor for the next one.
func (a *App) ListTasks(filter domain.TaskFilter) (*domain.TaskPage, error) {
	return a.svc.Tasks.FindTasks(a.context(), filter)
}

// GetTask returns a task with its scripts, videos and events.
func (a *App) GetTask(taskID string) (*domain.Task, error) {
	return a.svc.Tasks.FindTaskByID(a.context(), taskID)
}

// CountTasks counts the tasks matching filter per status.
func (a *App) CountTasks(filter domain.TaskFilter) (map[domain.Status]int, error) {
	return a.svc.Tasks.CountTasksByStatus(a.context(), filter)
}

// CancelTask cancels a pending or processing task.
func (a *App) CancelTask(taskID string) (*domain.Task, error) {
	return a.svc.Tasks.CancelTask(a.context(), taskID)
}

// DailyStats returns the statistics per day in [from, to] (YYYY-MM-DD).
func (a *App) DailyStats(from, to string) ([]*domain.DayStats, error) {
	return a.svc.Stats.DailyStats(a.context(), from, to)
}

// ListUsers lists all users by name.
func (a *App) ListUsers() ([]*domain.User, error) {
	return a.svc.Users.FindUsers(a.context())
}

// CreateUser creates a user and returns it with its API key, shown once.
func (a *App) CreateUser(in domain.UserCreate) (*UserWithKey, error) {
	u, key, err := a.svc.Users.CreateUser(a.context(), in)
	if err != nil {
		return nil, err
	}
	return &UserWithKey{User: u, APIKey: key}, nil
}

// RotateKey gives a user a new API key; the old one stops working at once.
func (a *App) RotateKey(username string) (*UserWithKey, error) {
	u, key, err := a.svc.Users.RotateKey(a.context(), username)
	if err != nil {
		return nil, err
	}
	return &UserWithKey{User: u, APIKey: key}, nil
}

// SetUserActive activates or deactivates a user.
func (a *App) SetUserActive(username string, active bool) (*domain.User, error) {
	return a.svc.Users.SetActive(a.context(), username, active)
}

// SetUserQuota sets a user's quota.
func (a *App) SetUserQuota(username string, quota int) (*domain.User, error) {
	return a.svc.Users.SetQuota(a.context(), username, quota)
}

// Notification types published by the backup bindings.
const (
	NotifyBackupProgress = "backup_progress"
	NotifyRestore        = "restore"
)

// errNoBackups answers the backup bindings when there is no backup manager.
var errNoBackups = domain.Errorf(domain.ECONFLICT, "Backups from the window are available for the local database only.")

// ListBackups returns the verified backups, newest first.
func (a *App) ListBackups() ([]*domain.Backup, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	return a.svc.Backup.List(a.context())
}

// CreateBackup takes a manual backup. Progress arrives as notification
// events of type "backup_progress"; the promise resolves with the verified
// backup.
func (a *App) CreateBackup() (*domain.Backup, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	return a.svc.Backup.Backup(a.context(), backup.Options{
		Kind:     domain.BackupManual,
		Progress: a.progress(),
	})
}

// RestoreBackup replaces the database with a backup (a catalogue name or a
// file path); a pre-restore backup is taken first so UndoRestore can return.
// Progress arrives like CreateBackup's; a "restore" notification follows.
func (a *App) RestoreBackup(source string) (*backup.RestoreResult, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	res, err := a.svc.Backup.Restore(a.context(), source, a.progress())
	if err != nil {
		return nil, err
	}
	a.notify(domain.Notification{Type: NotifyRestore, Data: res})
	return res, nil
}

// UndoRestore returns the database to its state before the last restore.
func (a *App) UndoRestore() (*backup.RestoreResult, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	res, err := a.svc.Backup.Undo(a.context(), a.progress())
	if err != nil {
		return nil, err
	}
	a.notify(domain.Notification{Type: NotifyRestore, Data: res})
	return res, nil
}

func (a *App) notify(n domain.Notification) {
	if a.svc.Notifier != nil {
		a.svc.Notifier.Notify(n)
	}
}

// progress returns a progress callback that publishes a notification each
// time the phase changes or the work advances by a whole percent, so a
// large database does not flood the window with thousands of events.
func (a *App) progress() func(domain.BackupProgress) {
	var (
		phase   string
		percent int64 = -1
	)
	return func(p domain.BackupProgress) {
		pc := int64(100)
		if p.Total > 0 {
			pc = p.Done * 100 / p.Total
		}
		if p.Phase == phase && pc == percent {
			return
		}
		phase, percent = p.Phase, pc
		a.notify(domain.Notification{Type: NotifyBackupProgress, Progress: int(pc), Data: p})
	}
}

// ReportFirstPage is called by the window (a script injected when the DOM is
// ready) once the first page of the history is painted, with the number of
// rows shown; it logs how long that took after launch. Later calls do
// nothing.
func (a *App) ReportFirstPage(rows int) {
	a.mu.Lock()
	fn := a.firstPage
	done := a.painted
	a.painted = true
	a.mu.Unlock()
	if !done && fn != nil {
		fn(rows)
	}
}
