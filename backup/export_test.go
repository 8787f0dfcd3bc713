package backup

import (
	"context"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// Prunable exposes Retention.prunable to the tests.
func Prunable(r Retention, backups []*domain.Backup, now time.Time) []*domain.Backup {
	return r.prunable(backups, now)
}

// SetJob replaces the body of job id, so tests can make it panic or block.
func SetJob(s *Scheduler, id string, fn func(ctx context.Context) (int64, string, error)) {
	s.jobs[id] = fn
}

// RunScheduled runs job id as the clock would.
func RunScheduled(ctx context.Context, s *Scheduler, id string) (*domain.JobRun, error) {
	return s.runFunc(ctx, id, s.jobs[id])
}

// A light passphrase key keeps the encryption tests quick.
func init() { ScryptWorkFactor = 10 }

// RecoverFiles runs the recovery of a killed file restore.
func RecoverFiles(m *Manager) error { return m.recoverFiles() }

// RunDestination runs the scheduled backup job of destination name.
func RunDestination(ctx context.Context, s *Scheduler, name string) (*domain.JobRun, error) {
	return s.runFunc(ctx, DestinationJob(name), s.destinationJob(name))
}

// RunPatient runs the scheduled job id as the clock does: waiting for a
// held operation lock.
func RunPatient(ctx context.Context, s *Scheduler, id string) (*domain.JobRun, error) {
	return s.runFunc(ctx, id, s.patient(s.jobs[id]))
}

// RunDestinationPatient runs the scheduled backup of destination name as
// the clock does.
func RunDestinationPatient(ctx context.Context, s *Scheduler, name string) (*domain.JobRun, error) {
	return s.runFunc(ctx, DestinationJob(name), s.patient(s.destinationJob(name)))
}

// HoldLock takes the operation lock of m as another backup would.
func HoldLock(m *Manager) (func(), error) { return m.lock("test") }
