package backup

import (
	"context"
	"fmt"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

// DefaultDestination names the backups folder of the data folder, the one
// destination every install has.
const DefaultDestination = "local"

// drillSample is how many tasks a drill reads back whole from the set.
const drillSample = 16

// Drill proves a backup set restorable without touching the live data: it
// restores the set (name, or the newest when name is empty) into a scratch
// folder exactly as a restore would (checksum against the catalogue,
// integrity check, schema, migration to this version), then checks that
// the row counts equal the catalogue's, counts the tasks through the store
// and reads a sample of tasks back whole. A failed check is returned as the
// result (OK false, Error set) together with its error.
//
// Returns ENOTFOUND when there is no backup, ECONFLICT while another
// backup or restore runs.
func (m *Manager) Drill(ctx context.Context, name string) (*domain.DrillResult, error) {
	start := m.now()
	list, err := m.List(ctx)
	if err != nil {
		return nil, err
	}
	var b *domain.Backup
	for _, e := range list {
		if name == "" || e.Name == name {
			b = e
			break
		}
	}
	if b == nil {
		if name == "" {
			return nil, domain.Errorf(domain.ENOTFOUND, "There is no backup to drill yet; take one first.")
		}
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no backup called %q.", name)
	}
	unlock, err := m.lock("drill")
	if err != nil {
		return nil, err
	}
	defer unlock()
	r := &domain.DrillResult{Destination: DefaultDestination, Backup: b.Name, StartedAt: start.UTC(), Checks: []string{}}
	err = m.drill(ctx, b, r)
	r.Seconds = m.now().Sub(start).Seconds()
	if err != nil {
		r.Error = domain.ErrorMessage(err)
		if domain.ErrorCode(err) == domain.EINTERNAL {
			r.Error = err.Error()
		}
		m.Logger.Error("restore drill failed", "backup", b.Name, "err", err)
		m.notify(domain.Notification{Type: "drill", Data: r})
		return r, err
	}
	r.OK = true
	m.notify(domain.Notification{Type: "drill", Data: r})
	return r, nil
}

// drill runs the checks of Drill on b, noting each one proven in r.
func (m *Manager) drill(ctx context.Context, b *domain.Backup, r *domain.DrillResult) error {
	set, err := m.openSet(ctx, b.Name, true)
	if err != nil {
		return err
	}
	defer set.Close()
	r.Checks = append(r.Checks, "checksum", "integrity", "schema")
	for table, want := range b.Rows {
		if got, ok := set.Info.Rows[table]; !ok || got != want {
			return domain.Invalidf("file", "%s holds %d rows in table %s, but the catalogue recorded %d when it was taken.", b.Name, got, table, want)
		}
	}
	r.Checks = append(r.Checks, "row counts")

	r.Tasks = set.Info.Rows["tasks"]
	sample, err := set.DB.SampleTaskIDs(ctx, drillSample)
	if err != nil {
		return domain.Invalidf("file", "%s: tasks cannot be read back: %v.", b.Name, err)
	}
	_, recs, err := set.DB.TaskRecords(ctx, sample)
	if err != nil {
		return domain.Invalidf("file", "%s: tasks cannot be read back whole: %v.", b.Name, err)
	}
	if len(recs) != len(sample) {
		return domain.Invalidf("file", "%s: %d of %d sampled tasks read back whole.", b.Name, len(recs), len(sample))
	}
	r.Checks = append(r.Checks, fmt.Sprintf("%d tasks read back whole", len(recs)))
	return nil
}

// drillJob runs a drill as a job: its detail names the set and the
// destination ("NAME @ DEST") so that Proven can tell per destination when
// each was last proven restorable. With no backup at all the scheduled
// drill has nothing to prove yet, which is not a failure.
func (m *Manager) drillJob(ctx context.Context, name string) (*domain.DrillResult, string, error) {
	r, err := m.Drill(ctx, name)
	if r == nil && name == "" && domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, "", errNothingToDo{"there is no backup to drill yet"}
	}
	if r == nil {
		return nil, "", err
	}
	return r, r.Backup + drillSep + r.Destination, err
}

// drillSep separates the set and the destination in a drill run's detail.
const drillSep = " @ "

// drillHistory is how many past drill runs Proven reads.
const drillHistory = 200

// Drill runs a restore drill of the set name (the newest when empty) now,
// recorded as a run of the drill job. A failed drill returns its result
// and its error; a refusal (no backup, another operation running) returns
// no result.
func (s *Scheduler) Drill(ctx context.Context, name string) (*domain.DrillResult, *domain.JobRun, error) {
	var res *domain.DrillResult
	run, err := s.runFunc(ctx, JobDrill, func(ctx context.Context) (int64, string, error) {
		r, detail, err := s.Manager.drillJob(ctx, name)
		res = r
		return 0, detail, err
	})
	return res, run, err
}

// Proven returns, per destination, the last drill that proved a set
// restorable and whether the latest one failed. The local destination is
// always listed.
func (s *Scheduler) Proven(ctx context.Context) ([]*domain.Proven, error) {
	runs, err := s.Runs.List(ctx, JobDrill, drillHistory)
	if err != nil {
		return nil, err
	}
	byDest := map[string]*domain.Proven{DefaultDestination: {Destination: DefaultDestination}}
	order := []string{DefaultDestination}
	for _, run := range runs { // newest first
		if run.Result != domain.JobOK && run.Result != domain.JobError {
			continue
		}
		set, dest, ok := strings.Cut(run.Detail, drillSep)
		if !ok {
			dest = DefaultDestination
		}
		p := byDest[dest]
		if p == nil {
			p = &domain.Proven{Destination: dest}
			byDest[dest] = p
			order = append(order, dest)
		}
		at := run.StartedAt
		if run.FinishedAt != nil {
			at = *run.FinishedAt
		}
		if p.Last == nil {
			p.Last = &at
			p.Failed = run.Result == domain.JobError
			p.Error = run.Error
		}
		if p.LastOK == nil && run.Result == domain.JobOK {
			p.LastOK, p.Backup = &at, set
		}
	}
	out := make([]*domain.Proven, 0, len(order))
	for _, d := range order {
		out = append(out, byDest[d])
	}
	return out, nil
}
