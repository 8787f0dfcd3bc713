package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/reelvault/reelvault/domain"
)

// JobRuns records the runs of maintenance jobs. Callers check the actor:
// job runs are the owner's.
type JobRuns struct {
	db *DB
}

// NewJobRuns returns the job-run log of db.
func NewJobRuns(db *DB) *JobRuns {
	return &JobRuns{db: db}
}

// jobRunRow is a job_runs row as stored.
type jobRunRow struct {
	ID         int64  `db:"id"`
	JobID      string `db:"job_id"`
	StartedAt  int64  `db:"started_at"`
	FinishedAt *int64 `db:"finished_at"`
	Result     string `db:"result"`
	Error      string `db:"error"`
	Bytes      int64  `db:"bytes"`
	Detail     string `db:"detail"`
}

func (r *jobRunRow) domain() *domain.JobRun {
	return &domain.JobRun{
		ID:         r.ID,
		JobID:      r.JobID,
		StartedAt:  fromMicros(r.StartedAt),
		FinishedAt: fromMicrosPtr(r.FinishedAt),
		Result:     r.Result,
		Error:      r.Error,
		Bytes:      r.Bytes,
		Detail:     r.Detail,
	}
}

const jobRunColumns = `
	id,
	job_id,
	started_at,
	finished_at,
	result,
	error,
	bytes,
	detail`

// Start records that job jobID started now and returns the running record.
func (j *JobRuns) Start(ctx context.Context, jobID string) (*domain.JobRun, error) {
	if jobID == "" {
		return nil, domain.Invalidf("job_id", "The job ID is required.")
	}
	var run *domain.JobRun
	err := j.db.write(ctx, func(tx *tx) error {
		res, err := tx.exec(`
			INSERT INTO job_runs (
				job_id,
				started_at,
				result
			) VALUES (?, ?, ?)`,
			jobID, micros(tx.now), domain.JobRunning)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		run = &domain.JobRun{ID: id, JobID: jobID, StartedAt: tx.now, Result: domain.JobRunning}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("start job run: %w", err)
	}
	return run, nil
}

// Finish stores run's result, error, bytes and detail and stamps its end.
// Returns EINVALID for an unknown result, ENOTFOUND for an unknown run.
func (j *JobRuns) Finish(ctx context.Context, run *domain.JobRun) error {
	switch run.Result {
	case domain.JobOK, domain.JobError, domain.JobSkipped:
	default:
		return domain.Invalidf("result", "Job result %q is not one of ok, error, skipped.", run.Result)
	}
	err := j.db.write(ctx, func(tx *tx) error {
		res, err := tx.exec(`
			UPDATE job_runs SET
				finished_at = ?,
				result = ?,
				error = ?,
				bytes = ?,
				detail = ?
			WHERE id = ?`,
			micros(tx.now), run.Result, run.Error, run.Bytes, run.Detail, run.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "Job run %d does not exist.", run.ID)
		}
		now := tx.now
		run.FinishedAt = &now
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish job run: %w", err)
	}
	return nil
}

// Interrupt marks runs still "running" (their process died) as failed and
// returns how many there were. Call it once at start, before any job runs.
func (j *JobRuns) Interrupt(ctx context.Context) (int, error) {
	var n int64
	err := j.db.write(ctx, func(tx *tx) error {
		res, err := tx.exec(`
			UPDATE job_runs SET
				finished_at = ?,
				result = 'error',
				error = 'interrupted: the process stopped during the run'
			WHERE result = 'running'`,
			micros(tx.now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("interrupt job runs: %w", err)
	}
	return int(n), nil
}

// List returns the newest runs first, of job jobID or of all jobs when it is
// empty; limit defaults to 50 and is at most 1000.
func (j *JobRuns) List(ctx context.Context, jobID string, limit int) ([]*domain.JobRun, error) {
	if limit <= 0 {
		limit = 50
	} else if limit > 1000 {
		limit = 1000
	}
	var rows []*jobRunRow
	err := j.db.read(ctx, false, func(tx *tx) error {
		return tx.sel(&rows, `
			SELECT`+jobRunColumns+`
			FROM job_runs
			WHERE (? = '' OR job_id = ?)
			ORDER BY started_at DESC, id DESC
			LIMIT `+limitParam,
			jobID, jobID, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("list job runs: %w", err)
	}
	out := make([]*domain.JobRun, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// LastOK returns the newest successful run of jobID, or nil when there is none.
func (j *JobRuns) LastOK(ctx context.Context, jobID string) (*domain.JobRun, error) {
	var row jobRunRow
	err := j.db.read(ctx, false, func(tx *tx) error {
		return tx.get(&row, `
			SELECT`+jobRunColumns+`
			FROM job_runs
			WHERE job_id = ?
			  AND result = 'ok'
			ORDER BY started_at DESC, id DESC
			LIMIT 1`,
			jobID)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("last job run: %w", err)
	}
	return row.domain(), nil
}
