package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store/safefile"
)

// Service is the domain.BackupService of the app layer (HTTP API, window):
// manual backups, the catalogue, downloads, restores by catalogue name (of
// the whole database or of chosen tasks), uploads, drills and the
// maintenance schedule, over a Scheduler and its Manager.
type Service struct {
	Manager   *Manager
	Scheduler *Scheduler
}

var _ domain.BackupService = (*Service)(nil)

// NewService returns a Service over a scheduler and its manager.
func NewService(sch *Scheduler) *Service {
	return &Service{Manager: sch.Manager, Scheduler: sch}
}

// Backup takes a manual backup.
func (s *Service) Backup(ctx context.Context) (*domain.Backup, error) {
	return s.Manager.Backup(ctx, Options{Kind: domain.BackupManual})
}

// Backups lists the verified backup sets of every connected destination.
func (s *Service) Backups(ctx context.Context) ([]*domain.Backup, error) {
	return s.Manager.ListAll(ctx)
}

var _ domain.DestinationService = (*Service)(nil)

// Destinations lists the destinations with their state and next run.
func (s *Service) Destinations(ctx context.Context) ([]domain.DestinationStatus, error) {
	return s.Scheduler.Destinations(ctx)
}

// AddDestination adds a destination and schedules it.
func (s *Service) AddDestination(ctx context.Context, d domain.Destination, passphrase string) (*domain.DestinationStatus, error) {
	return s.Scheduler.AddDestination(ctx, d, passphrase)
}

// RemoveDestination forgets a destination.
func (s *Service) RemoveDestination(ctx context.Context, name string) error {
	return s.Scheduler.RemoveDestination(ctx, name)
}

// BackupTo takes a manual backup set into a destination.
func (s *Service) BackupTo(ctx context.Context, to string, dbOnly bool) (*domain.Backup, error) {
	return s.Manager.BackupTo(ctx, to, Options{Kind: domain.BackupManual, DBOnly: dbOnly})
}

// RestoreSet restores a set of any connected destination, by name only: a
// request can never name a file.
func (s *Service) RestoreSet(ctx context.Context, name string, opts domain.RestoreRequest) (*domain.RestoreResult, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return nil, domain.Invalidf("name", "Backup name %q is not a catalogue name.", name)
	}
	list, err := s.Manager.ListAll(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(list, func(b *domain.Backup) bool { return b.Name == name }) {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no backup called %q.", name)
	}
	return s.Manager.RestoreWith(ctx, name, RestoreOptions{Passphrase: opts.Passphrase, Into: opts.Into, DBOnly: opts.DBOnly})
}

// DeleteBackup deletes a catalogued backup; the backup package refuses the
// newest verified one and the one undo returns to.
func (s *Service) DeleteBackup(ctx context.Context, name string) error {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return domain.Invalidf("name", "Backup name %q is not a catalogue name.", name)
	}
	return s.Manager.Delete(ctx, name)
}

// Place returns the backups folder and the restore undo would take back.
func (s *Service) Place(ctx context.Context) (string, *domain.LastRestore, error) {
	dir, err := filepath.Abs(s.Manager.Dir)
	if err != nil {
		dir = s.Manager.Dir
	}
	last, err := s.Manager.LastRestore()
	if err != nil || last == nil {
		return dir, nil, err
	}
	last.Source = filepath.Base(last.Source)
	return dir, last, nil
}

// find returns the catalogue entry called name. Only names that the
// catalogue lists are accepted, so a request can never name another file.
func (s *Service) find(ctx context.Context, name string) (*domain.Backup, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return nil, domain.Invalidf("name", "Backup name %q is not a catalogue name.", name)
	}
	list, err := s.Manager.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range list {
		if b.Name == name {
			return b, nil
		}
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "There is no backup called %q.", name)
}

// OpenBackup opens a catalogued backup file for download. The file is
// opened first and judged after (safefile): a link, a FIFO or anything
// but a regular file inside the backups folder is refused, whatever was in
// its place when the catalogue was read.
func (s *Service) OpenBackup(ctx context.Context, name string) (*domain.Backup, io.ReadSeekCloser, error) {
	b, err := s.find(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	f, err := safefile.Open(b.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, domain.Errorf(domain.ENOTFOUND, "The file of backup %q is gone.", name)
	case errors.Is(err, safefile.ErrSymlink), errors.Is(err, safefile.ErrNotRegular), errors.Is(err, safefile.ErrChanged):
		return nil, nil, refusedBackup(name)
	case err != nil:
		return nil, nil, fmt.Errorf("open backup: %w", err)
	}
	if !safefile.Within(f.Path, s.Manager.Dir) {
		f.Close()
		return nil, nil, refusedBackup(name)
	}
	return b, f, nil
}

// refusedBackup is the answer for a backup name whose file is not a regular
// file in the backups folder.
func refusedBackup(name string) error {
	return domain.Errorf(domain.EFORBIDDEN, "The file of backup %q is not a regular file in the backups folder; it is not served.", name)
}

// Restore restores a catalogued backup; progress goes out as notifications.
func (s *Service) Restore(ctx context.Context, name string) (*domain.RestoreResult, error) {
	if _, err := s.find(ctx, name); err != nil {
		return nil, err
	}
	return s.Manager.Restore(ctx, name, nil)
}

// UndoRestore undoes the last restore.
func (s *Service) UndoRestore(ctx context.Context) (*domain.RestoreResult, error) {
	return s.Manager.Undo(ctx, nil)
}

// Schedule returns the maintenance schedule with its next runs.
func (s *Service) Schedule(ctx context.Context) (*domain.ScheduleRuns, error) {
	sch, err := s.Scheduler.Schedule(ctx)
	if err != nil {
		return nil, err
	}
	return s.withRuns(sch), nil
}

// SetSchedule stores and applies a new schedule.
func (s *Service) SetSchedule(ctx context.Context, in domain.Schedule) (*domain.ScheduleRuns, error) {
	sch, err := s.Scheduler.SetSchedule(ctx, in)
	if err != nil {
		return nil, err
	}
	return s.withRuns(sch), nil
}

// withRuns adds the next NextRunsShown runs of each enabled job to sch.
func (s *Service) withRuns(sch domain.Schedule) *domain.ScheduleRuns {
	return &domain.ScheduleRuns{Schedule: sch, Next: NextRuns(sch, s.Manager.Now(), NextRunsShown)}
}

// Jobs lists recent job runs.
func (s *Service) Jobs(ctx context.Context, limit int) ([]*domain.JobRun, error) {
	return s.Scheduler.Jobs(ctx, limit)
}

// Maintain runs one maintenance operation now.
func (s *Service) Maintain(ctx context.Context, op string) (*domain.JobRun, error) {
	return s.Scheduler.Maintain(ctx, op)
}

// PreviewTasks compares a catalogued backup with the live history.
func (s *Service) PreviewTasks(ctx context.Context, name string) (*domain.TaskPreview, error) {
	if _, err := s.find(ctx, name); err != nil {
		return nil, err
	}
	return s.Manager.PreviewTasks(ctx, name)
}

// RestoreTasks restores chosen tasks from a catalogued backup.
func (s *Service) RestoreTasks(ctx context.Context, name string, ids []string) (*domain.TaskRestoreResult, error) {
	if _, err := s.find(ctx, name); err != nil {
		return nil, err
	}
	return s.Manager.RestoreTasks(ctx, name, ids)
}

// Drill runs a restore drill now, recorded as a job run.
func (s *Service) Drill(ctx context.Context, name string) (*domain.DrillResult, error) {
	if name != "" {
		if _, err := s.find(ctx, name); err != nil {
			return nil, err
		}
	}
	res, _, err := s.Scheduler.Drill(ctx, name)
	if res == nil && err == nil {
		return nil, errNoDrill
	}
	return res, err
}

// DrillSet runs a restore drill of a set of any destination now, recorded
// as a job run.
func (s *Service) DrillSet(ctx context.Context, req domain.DrillRequest) (*domain.DrillResult, error) {
	if req.Name != "" && (strings.ContainsAny(req.Name, `/\`) || strings.HasPrefix(req.Name, ".")) {
		return nil, domain.Invalidf("name", "Backup name %q is not a catalogue name.", req.Name)
	}
	res, _, err := s.Scheduler.DrillWith(ctx, DrillOptions{Destination: req.Destination, Name: req.Name, Passphrase: req.Passphrase})
	if res == nil && err == nil {
		return nil, errNoDrill
	}
	return res, err
}

// Proven says when backups were last proven restorable.
func (s *Service) Proven(ctx context.Context) ([]*domain.Proven, error) {
	return s.Scheduler.Proven(ctx)
}

// Upload keeps an uploaded backup set in the catalogue.
func (s *Service) Upload(ctx context.Context, r io.Reader) (*domain.Backup, *domain.SetInfo, error) {
	return s.Manager.Upload(ctx, r)
}

// errNoDrill answers a drill asked for before there is any backup.
var errNoDrill = domain.Errorf(domain.ENOTFOUND, "There is no backup to drill yet; take one first.")
