package desktop

import (
	"context"
	"encoding/base64"
	"strings"
	"sync"

	"github.com/reelvault/reelvault/app/launchtrace"
	"github.com/reelvault/reelvault/domain"
)

// Services are the services the window's bindings call.
type Services struct {
	Tasks domain.TaskService
	Users domain.UserService
	Stats domain.StatsService
	// Backup takes and restores backups and runs the maintenance schedule:
	// the same service as the HTTP API's. Nil when the store is not the
	// local SQLite file; the backup bindings then answer ECONFLICT.
	Backup domain.BackupService
	// Export writes and reads export documents for the window's API; nil
	// where Backup is nil.
	Export domain.ExportService
	// Media manages the media roots; nil answers ENOTFOUND.
	Media domain.MediaService
	// Sessions keeps the web UI's owner sessions and sign-in links for the
	// window's API, as serve keeps them; nil keeps them in memory.
	Sessions domain.SessionService
	// Library keeps the trash, stars, ratings, tags, collections, bulk
	// actions and reruns; nil answers ENOTFOUND.
	Library domain.LibraryService
}

// Info describes the running window for the UI's About, status bar and
// empty states.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	BuildDate string `json:"build_date,omitempty"`
	// SchemaVersion is the newest database schema this build supports.
	SchemaVersion int64  `json:"schema_version,omitempty"`
	DataDir       string `json:"data_dir"`
	// APIURL is the base URL of the HTTP API served on loopback while the
	// window is open ("" when it could not be started), for the copyable
	// curl line of the empty history.
	APIURL string `json:"api_url,omitempty"`
	// Upgrade is set when opening the database upgraded its schema, so the
	// window says so and where the backup from before is.
	Upgrade *domain.Upgrade `json:"upgrade,omitempty"`
	// OpenError is why the database could not be opened (for example a
	// newer Reelvault wrote it). The window then shows only this message.
	OpenError string `json:"open_error,omitempty"`
}

// Status is the answer of App.Status.
type Status struct {
	Info
	Database *domain.DBStatus `json:"database"`
}

// App is the struct bound to the window: each exported method becomes a
// function of the generated frontend/wailsjs/go/desktop/App module, returning
// a promise that resolves with the JSON of the result or rejects with a
// domain.Error (see FormatError). Every call acts as the local owner.
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
	mediaBase string                                  // see MediaBaseURL
	launch    func(name string, args ...string) error // starts the system opener; nil: startProgram
	probe     func(msg string)                        // see Probe
	// chooseFile shows the system's open-file dialog; set by the window,
	// nil elsewhere (tests, bindings generation).
	chooseFile func(ctx context.Context, title string) (string, error)
	// saveFile shows the system's save dialog with a suggested file name;
	// set by the window like chooseFile.
	saveFile func(ctx context.Context, title, name string) (string, error)
}

// setMedia sets the media server's base URL.
func (a *App) setMedia(base string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mediaBase = base
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

// Status returns the version, data dir, API URL and database status; only
// the Info when the database could not be opened.
func (a *App) Status() (*Status, error) {
	launchtrace.MarkOnce("binding Status called")
	defer launchtrace.MarkOnce("binding Status answered")
	if a.info.OpenError != "" {
		return &Status{Info: a.info}, nil
	}
	st, err := a.svc.Stats.Status(a.context())
	if err != nil {
		return nil, err
	}
	return &Status{Info: a.info, Database: st}, nil
}

// OpenDataFolder shows the data folder in the system's file manager.
func (a *App) OpenDataFolder() error {
	return OpenFolder(a.info.DataDir)
}

// ListTasks returns one page of tasks, newest first. Pass the previous
// page's next_cursor as filter.cursor for the next one.
func (a *App) ListTasks(filter domain.TaskFilter) (*domain.TaskPage, error) {
	launchtrace.MarkOnce("binding ListTasks called")
	defer launchtrace.MarkOnce("binding ListTasks answered")
	return a.svc.Tasks.FindTasks(a.context(), filter)
}

// GetTask returns a task with its scripts, videos and events.
func (a *App) GetTask(taskID string) (*domain.Task, error) {
	return a.svc.Tasks.FindTaskByID(a.context(), taskID)
}

// CountTasks counts the tasks matching filter per status.
func (a *App) CountTasks(filter domain.TaskFilter) (map[domain.Status]int, error) {
	launchtrace.MarkOnce("binding CountTasks called")
	defer launchtrace.MarkOnce("binding CountTasks answered")
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

// ListUsers lists all users by name (the shape of GET /api/v1/users).
func (a *App) ListUsers() (*domain.UserList, error) {
	users, err := a.svc.Users.FindUsers(a.context())
	if err != nil {
		return nil, err
	}
	return domain.NewUserList(users), nil
}

// CreateUser creates a user and returns it with its API key, shown once.
func (a *App) CreateUser(in domain.UserCreate) (*domain.UserWithKey, error) {
	u, key, err := a.svc.Users.CreateUser(a.context(), in)
	if err != nil {
		return nil, err
	}
	return &domain.UserWithKey{User: u, APIKey: key}, nil
}

// RotateKey gives a user a new API key; the old one stops working at once.
func (a *App) RotateKey(username string) (*domain.UserWithKey, error) {
	u, key, err := a.svc.Users.RotateKey(a.context(), username)
	if err != nil {
		return nil, err
	}
	return &domain.UserWithKey{User: u, APIKey: key}, nil
}

// SetUserActive activates or deactivates a user.
func (a *App) SetUserActive(username string, active bool) (*domain.User, error) {
	return a.svc.Users.SetActive(a.context(), username, active)
}

// SetUserQuota sets a user's quota.
func (a *App) SetUserQuota(username string, quota int) (*domain.User, error) {
	return a.svc.Users.SetQuota(a.context(), username, quota)
}

// errNoBackups answers the backup bindings when there is no backup service.
var errNoBackups = domain.Errorf(domain.ECONFLICT, "Backups from the window are available for the local database only.")

// DefaultJobsLimit is how many job runs ListJobs returns.
const DefaultJobsLimit = 50

// ListBackups returns the verified backups, newest first (the shape of
// GET /api/v1/backups).
func (a *App) ListBackups() (*domain.BackupList, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	list, err := a.svc.Backup.Backups(a.context())
	if err != nil {
		return nil, err
	}
	l := domain.NewBackupList(list)
	if l.Dir, l.Undo, err = a.svc.Backup.Place(a.context()); err != nil {
		return nil, err
	}
	return l, nil
}

// CreateBackup takes a manual backup. Progress arrives as notification
// events of type "backup_progress"; the promise resolves with the verified
// backup.
func (a *App) CreateBackup() (*domain.Backup, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	return a.svc.Backup.Backup(a.context())
}

// RestoreBackup replaces the database with the catalogued backup name; a
// pre-restore backup is taken first so UndoRestore can return. Progress
// arrives as notification events of type "restore".
func (a *App) RestoreBackup(name string) (*domain.RestoreResult, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	return a.svc.Backup.Restore(a.context(), name)
}

// UndoRestore returns the database to its state before the last restore.
func (a *App) UndoRestore() (*domain.RestoreResult, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	return a.svc.Backup.UndoRestore(a.context())
}

// GetSchedule returns the maintenance schedule and retention, with the
// next runs of each enabled job.
func (a *App) GetSchedule() (*domain.ScheduleRuns, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	return a.svc.Backup.Schedule(a.context())
}

// SetSchedule validates and applies a new schedule at once.
func (a *App) SetSchedule(s domain.Schedule) (*domain.ScheduleRuns, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	return a.svc.Backup.SetSchedule(a.context(), s)
}

// ListJobs returns the most recent maintenance job runs, newest first (the
// shape of GET /api/v1/jobs).
func (a *App) ListJobs() (*domain.JobList, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	jobs, err := a.svc.Backup.Jobs(a.context(), DefaultJobsLimit)
	if err != nil {
		return nil, err
	}
	return domain.NewJobList(jobs), nil
}

// RunMaintenance runs one maintenance operation now (optimize, analyze,
// vacuum, check, checkpoint or backup) and returns its recorded run.
func (a *App) RunMaintenance(op string) (*domain.JobRun, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	return a.svc.Backup.Maintain(a.context(), op)
}

// PreviewTasks compares the catalogued backup name with the live history
// (tasks missing here, changed, video files missing) without changing
// anything.
func (a *App) PreviewTasks(name string) (*domain.TaskPreview, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	return a.svc.Backup.PreviewTasks(a.context(), name)
}

// RestoreTasks restores the tasks ids from the catalogued backup name,
// replacing only those; UndoRestore puts them back.
func (a *App) RestoreTasks(name string, ids []string) (*domain.TaskRestoreResult, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	return a.svc.Backup.RestoreTasks(a.context(), name, ids)
}

// ListProven says per destination when a backup was last proven
// restorable and whether the latest drill failed.
func (a *App) ListProven() ([]*domain.Proven, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	return a.svc.Backup.Proven(a.context())
}

// RunDrill proves the backup name (the newest when empty) restorable now;
// a failed drill resolves with its result (ok false).
func (a *App) RunDrill(name string) (*domain.DrillResult, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	res, err := a.svc.Backup.Drill(a.context(), name)
	if err != nil && res == nil {
		return nil, err
	}
	return res, nil
}

// UploadResult is what UploadBackup answers: the catalogued set and what
// it holds.
type UploadResult struct {
	Backup *domain.Backup  `json:"backup"`
	Set    *domain.SetInfo `json:"set"`
}

// UploadBackup keeps a backup file the person picked in the window, sent
// as base64 (the bindings carry text), as an uploaded set in the
// catalogue, and says what it holds; nothing live changes.
func (a *App) UploadBackup(data string) (*UploadResult, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	b, set, err := a.svc.Backup.Upload(a.context(), base64.NewDecoder(base64.StdEncoding, strings.NewReader(data)))
	if err != nil {
		return nil, err
	}
	return &UploadResult{Backup: b, Set: set}, nil
}

// errNoMedia is the answer of the media root bindings without a media service.
var errNoMedia = domain.Errorf(domain.ENOTFOUND, "Media roots are not available in this window.")

// ListMediaRoots returns the media roots: the folders under which API keys
// may register and stream videos.
func (a *App) ListMediaRoots() (*domain.MediaRoots, error) {
	if a.svc.Media == nil {
		return nil, errNoMedia
	}
	return a.svc.Media.MediaRoots(a.context())
}

// AddMediaRoot adds an existing folder, by absolute path, to the media roots.
func (a *App) AddMediaRoot(path string) (*domain.MediaRoots, error) {
	if a.svc.Media == nil {
		return nil, errNoMedia
	}
	return a.svc.Media.AddMediaRoot(a.context(), path)
}

// RemoveMediaRoot removes a folder the owner added from the media roots.
func (a *App) RemoveMediaRoot(path string) (*domain.MediaRoots, error) {
	if a.svc.Media == nil {
		return nil, errNoMedia
	}
	return a.svc.Media.RemoveMediaRoot(a.context(), path)
}

// ReportFirstPage is called by the window (a script injected when the DOM is
// ready) once the first page of the history is painted, with the number of
// rows shown; it logs how long that took after launch. Later calls do
// nothing.
func (a *App) ReportFirstPage(rows int) {
	launchtrace.MarkOnce("first page reported")
	a.mu.Lock()
	fn := a.firstPage
	done := a.painted
	a.painted = true
	a.mu.Unlock()
	if !done && fn != nil {
		fn(rows)
	}
}

// Probe passes a line from the page to the window's test hook: a script
// given in $REELVAULT_WINDOW_SCRIPT (EnvWindowScript) reports what it sees
// with it, and the window prints each line as "Window probe: …". Without
// such a script it does nothing.
func (a *App) Probe(msg string) {
	a.mu.Lock()
	fn := a.probe
	a.mu.Unlock()
	if fn != nil {
		fn(msg)
	}
}
