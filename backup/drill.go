package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// DefaultDestination names the backups folder of the data folder, the one
// destination every install has.
const DefaultDestination = "local"

// drillSample is how many tasks a drill reads back whole from the set.
const drillSample = 16

// drillObjects is how many media objects, spread over the set, a drill
// hashes again besides those of the sampled tasks.
const drillObjects = 32

// DrillOptions say which set a drill proves.
type DrillOptions struct {
	// Destination names the destination whose set is drilled: "" or
	// "local" for the local backups folder.
	Destination string
	// Name is the set; the destination's newest when empty.
	Name string
	// Passphrase opens a set of an encrypted destination.
	Passphrase string
}

// Drill proves a backup set of the local folder restorable (see DrillWith).
func (m *Manager) Drill(ctx context.Context, name string) (*domain.DrillResult, error) {
	return m.DrillWith(ctx, DrillOptions{Name: name})
}

// DrillWith proves a backup set restorable without touching the live data:
// it restores the set (opts.Name, or the destination's newest) into a
// scratch folder of the local backups folder exactly as a restore would
// (checksum against the catalogue, decryption, integrity check, schema,
// migration to this version), then checks that the row counts equal the
// catalogue's, reads a sample of tasks back whole, proves every media
// object of the set present and hashes a sample of them (up to 32 spread
// over the set, plus every file of the sampled tasks) against their
// names. A failed check is returned as the result (OK false, Error set,
// naming the damaged file) together with its error.
//
// Returns ENOTFOUND when there is no backup or no such destination,
// ECONFLICT while another backup or restore runs or when the destination
// is not connected, EINVALID (field "passphrase") when an encrypted set's
// passphrase is missing or wrong.
func (m *Manager) DrillWith(ctx context.Context, opts DrillOptions) (*domain.DrillResult, error) {
	start := m.now()
	src, dest, err := m.at(ctx, opts.Destination)
	if err != nil {
		return nil, err
	}
	list, err := src.List(ctx)
	if err != nil {
		return nil, err
	}
	var b *domain.Backup
	for _, e := range list {
		if opts.Name == "" || e.Name == opts.Name {
			b = e
			break
		}
	}
	if b == nil {
		if opts.Name == "" {
			return nil, &wrappedErr{domain.Errorf(domain.ENOTFOUND, "There is no backup in %s to drill yet; take one first.", dest), errNoSetYet}
		}
		if src == m {
			return nil, domain.Errorf(domain.ENOTFOUND, "There is no backup called %q.", opts.Name)
		}
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no backup called %q in destination %s.", opts.Name, dest)
	}
	var id age.Identity
	if b.Encrypted {
		if src.key == nil || !src.key.Encrypted {
			return nil, domain.Invalidf("file", "%s is encrypted but its folder has no destination key (%s).", b.Name, markerFile)
		}
		if id, err = src.key.unlock(opts.Passphrase, dest); err != nil {
			return nil, err
		}
	}
	unlock, err := m.lock("drill")
	if err != nil {
		return nil, err
	}
	defer unlock()
	if src != m {
		// Keep the destination's retention from removing the set meanwhile.
		l, err := acquire(src.Dir, "drill")
		if err != nil {
			return nil, err
		}
		defer l.release()
	}
	r := &domain.DrillResult{Destination: dest, Backup: b.Name, StartedAt: start.UTC(), Checks: []string{}}
	err = m.drill(ctx, src, b, id, r)
	r.Seconds = m.now().Sub(start).Seconds()
	if err != nil {
		r.Error = domain.ErrorMessage(err)
		if domain.ErrorCode(err) == domain.EINTERNAL {
			r.Error = err.Error()
		}
		m.Logger.Error("restore drill failed", "backup", b.Name, "destination", dest, "err", err)
		m.notify(domain.Notification{Type: "drill", Data: r})
		return r, err
	}
	r.OK = true
	m.notify(domain.Notification{Type: "drill", Data: r})
	return r, nil
}

// drill runs the checks of DrillWith on the set b of src's folder (m's own
// or a destination's), opened with id when encrypted, noting each one
// proven in r. The caller holds the operation locks.
func (m *Manager) drill(ctx context.Context, src *Manager, b *domain.Backup, id age.Identity, r *domain.DrillResult) error {
	source := b.Name
	if src != m {
		// Not in the local catalogue: the checksum is compared here, then
		// the set is opened by its path with the full integrity check.
		path := filepath.Join(src.Dir, b.Name)
		if got, err := fileSHA256(path); err != nil {
			return err
		} else if got != b.SHA256 {
			return domain.Invalidf("file", "%s does not match the checksum in the catalogue; it was changed or damaged.", b.Name)
		}
		source = path
		if b.Encrypted {
			dir, err := os.MkdirTemp(m.Dir, ".scratch-")
			if err != nil {
				return unwritable(m.Dir, err)
			}
			defer os.RemoveAll(dir)
			source = filepath.Join(dir, strings.TrimSuffix(b.Name, ".age"))
			if err := decryptFile(path, source, id, b.Name); err != nil {
				return err
			}
			r.Checks = append(r.Checks, "decryption")
		}
	}
	set, err := m.openSet(ctx, source, true)
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
	return src.drillMedia(ctx, b.Name, id, recs, r)
}

// drillMedia proves every media object of the set name present and hashes
// a sample of them again: up to drillObjects spread evenly over the set,
// plus every file the tasks recs reference. A missing or damaged object
// fails the drill naming its file. A set without media passes.
func (m *Manager) drillMedia(ctx context.Context, name string, id age.Identity, recs []*store.ExportTask, r *domain.DrillResult) error {
	mf, err := readManifest(m.Dir, name)
	if err != nil || mf == nil {
		return err
	}
	files, err := mf.files(id)
	if err != nil {
		return damagedObject(name, "media list", err)
	}
	pathOf := make(map[string]string, len(files))
	sumOf := make(map[string]string, len(files))
	for _, f := range files {
		if _, ok := pathOf[f.SHA256]; !ok {
			pathOf[f.SHA256] = f.Path
		}
		sumOf[f.Path] = f.SHA256
	}
	what := func(sum string) string {
		if p := pathOf[sum]; p != "" {
			return p
		}
		return "object " + sum[:12]
	}
	st := &objectStore{dir: m.Dir, id: id}
	for _, s := range mf.Objects {
		if fi, err := os.Stat(st.path(s)); err != nil || !fi.Mode().IsRegular() {
			return damagedObject(name, what(s), errors.New("is missing"))
		}
	}
	r.Checks = append(r.Checks, fmt.Sprintf("%d media files present", len(mf.Objects)))

	pick := map[string]bool{}
	var sample []string
	add := func(sum string) {
		if sum != "" && !pick[sum] {
			pick[sum] = true
			sample = append(sample, sum)
		}
	}
	for _, rec := range recs {
		add(sumOf[rec.FinalVideoPath])
		for _, v := range rec.Videos {
			add(sumOf[v.FilePath])
		}
	}
	if n := len(mf.Objects); n > 0 {
		step := max(n/drillObjects, 1)
		for i := 0; i < n && i/step < drillObjects; i += step {
			add(mf.Objects[i])
		}
	}
	for _, s := range sample {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := st.check(st.path(s), s, ""); err != nil {
			if errors.Is(err, errDamaged) {
				if qerr := st.quarantine(s); qerr == nil {
					return damagedCopy(name, what(s), err)
				}
			}
			return damagedObject(name, what(s), err)
		}
		r.FilesChecked++
	}
	r.Checks = append(r.Checks, fmt.Sprintf("%d file hashes", r.FilesChecked))
	return nil
}

// errNoSetYet marks a drill of a destination that holds no set yet.
var errNoSetYet = errors.New("no backup to drill yet")

// drillJob runs a drill as a job: its detail names the set and the
// destination ("NAME @ DEST") so that Proven can tell per destination when
// each was last proven restorable (see drillDetail).
func (m *Manager) drillJob(ctx context.Context, opts DrillOptions) (*domain.DrillResult, string, error) {
	r, err := m.DrillWith(ctx, opts)
	detail, err := drillDetail(opts, r, err)
	return r, detail, err
}

// drillDetail returns the detail and the error of the drill run that
// ended with r and err. A drill that cannot run is a skipped run
// (errNothingToDo) whose detail says why and where ("WHY @ DEST"): a
// destination with no backup yet, one that is not connected (tried again
// at the next drill, never in a loop), or an encrypted one with no
// passphrase given.
func drillDetail(opts DrillOptions, r *domain.DrillResult, err error) (string, error) {
	if r != nil {
		return r.Backup + drillSep + r.Destination, err
	}
	dest := destOr(opts.Destination)
	var u errUnplugged
	var de *domain.Error
	switch {
	case errors.Is(err, errNoSetYet) && opts.Name == "":
		return "", errNothingToDo{"there is no backup to drill yet" + drillSep + dest}
	case errors.As(err, &u):
		return "", errNothingToDo{"not connected: plug in or mount " + u.d.Dir + "; the next drill tries again" + drillSep + dest}
	case opts.Passphrase == "" && errors.As(err, &de) && de.Field == "passphrase":
		return "", errNothingToDo{"needs passphrase: its sets are encrypted; run \"reelvault drill --to " + dest + "\" with the passphrase" + drillSep + dest}
	}
	return "", err
}

// destOr returns dest, or the local destination's name when it is empty.
func destOr(dest string) string {
	if dest == "" {
		return DefaultDestination
	}
	return dest
}

// drillSep separates the set (or why the drill was skipped) and the
// destination in a drill run's detail; destination names never hold it.
const drillSep = " @ "

// splitDrill splits a drill run's detail at its last drillSep.
func splitDrill(detail string) (what, dest string, ok bool) {
	i := strings.LastIndex(detail, drillSep)
	if i < 0 {
		return detail, "", false
	}
	return detail[:i], detail[i+len(drillSep):], true
}

// drillHistory is how many past drill runs Proven reads.
const drillHistory = 200

// Drill runs a restore drill of the local set name (the newest when empty)
// now, recorded as a run of the drill job (see DrillWith).
func (s *Scheduler) Drill(ctx context.Context, name string) (*domain.DrillResult, *domain.JobRun, error) {
	return s.DrillWith(ctx, DrillOptions{Name: name})
}

// DrillWith runs a restore drill now, recorded as a run of the drill job.
// A failed drill returns its result and its error; a refusal (no backup,
// another operation running, an unplugged destination, no passphrase)
// returns no result: a skipped run with a nil error when there is nothing
// to drill, else the error.
func (s *Scheduler) DrillWith(ctx context.Context, opts DrillOptions) (*domain.DrillResult, *domain.JobRun, error) {
	var res *domain.DrillResult
	var cause error
	run, err := s.runFunc(ctx, JobDrill, func(ctx context.Context) (int64, string, error) {
		r, err := s.Manager.DrillWith(ctx, opts)
		res, cause = r, err
		if r == nil && errors.Is(err, errLocked) {
			// Not a failed drill: the caller is told another one runs.
			return 0, "", errNothingToDo{"another backup was running" + drillSep + destOr(opts.Destination)}
		}
		detail, err := drillDetail(opts, r, err)
		return 0, detail, err
	})
	if err == nil && res == nil && cause != nil && !errors.Is(cause, errNoSetYet) {
		// Asked for by hand, a drill that could not run says why (the run
		// is recorded as skipped).
		err = cause
	}
	return res, run, err
}

// DrillAll runs the scheduled drill: the newest set of the local folder and
// of every destination, one recorded run each. A destination that is not
// connected or needs a passphrase (see Scheduler.Passphrase) is a skipped
// run; failures are logged, never retried in a loop.
func (s *Scheduler) DrillAll(ctx context.Context) []*domain.JobRun {
	dests := []string{DefaultDestination}
	if ds, err := s.Manager.destinations(ctx); err != nil {
		s.Logger.Error("drill: read destinations", "err", err)
	} else {
		for _, d := range ds {
			dests = append(dests, d.Name)
		}
	}
	var runs []*domain.JobRun
	for _, dest := range dests {
		if ctx.Err() != nil {
			break
		}
		opts := DrillOptions{Destination: dest}
		if s.Passphrase != nil && dest != DefaultDestination {
			opts.Passphrase = s.Passphrase(dest)
		}
		fn := s.patient(func(ctx context.Context) (int64, string, error) {
			_, detail, err := s.Manager.drillJob(ctx, opts)
			return 0, detail, err
		})
		run, err := s.runFunc(ctx, JobDrill, func(ctx context.Context) (int64, string, error) {
			n, detail, err := fn(ctx)
			var nothing errNothingToDo
			if errors.As(err, &nothing) && !strings.Contains(nothing.reason, drillSep) {
				// Gave up waiting for the lock: still this destination's run.
				err = errNothingToDo{nothing.reason + drillSep + dest}
			}
			return n, detail, err
		})
		if err != nil {
			s.Logger.Error("job failed", "job", JobDrill, "destination", dest, "err", err)
		}
		if run != nil {
			runs = append(runs, run)
		}
	}
	return runs
}

// Proven returns, per destination, the last drill that proved a set
// restorable, whether the latest one failed, and why the latest scheduled
// drill was skipped if it was. The local destination and every added
// destination are listed, in that order.
func (s *Scheduler) Proven(ctx context.Context) ([]*domain.Proven, error) {
	runs, err := s.Runs.List(ctx, JobDrill, drillHistory)
	if err != nil {
		return nil, err
	}
	byDest := map[string]*domain.Proven{DefaultDestination: {Destination: DefaultDestination}}
	order := []string{DefaultDestination}
	if ds, err := s.Manager.destinations(ctx); err == nil {
		for _, d := range ds {
			byDest[d.Name] = &domain.Proven{Destination: d.Name}
			order = append(order, d.Name)
		}
	}
	seen := map[string]bool{}
	for _, run := range runs { // newest first
		at := run.StartedAt
		if run.FinishedAt != nil {
			at = *run.FinishedAt
		}
		what, dest, ok := splitDrill(run.Detail)
		switch run.Result {
		case domain.JobSkipped:
			if ok && !seen[dest] && byDest[dest] != nil {
				byDest[dest].Skipped, byDest[dest].SkippedAt = what, &at
			}
			if ok {
				seen[dest] = true
			}
			continue
		case domain.JobOK, domain.JobError:
		default:
			continue
		}
		if !ok {
			dest = DefaultDestination
		}
		seen[dest] = true
		p := byDest[dest]
		if p == nil {
			p = &domain.Proven{Destination: dest}
			byDest[dest] = p
			order = append(order, dest)
		}
		if p.Last == nil {
			p.Last = &at
			p.Failed = run.Result == domain.JobError
			p.Error = run.Error
		}
		if p.LastOK == nil && run.Result == domain.JobOK {
			p.LastOK, p.Backup = &at, what
		}
	}
	out := make([]*domain.Proven, 0, len(order))
	for _, d := range order {
		out = append(out, byDest[d])
	}
	return out, nil
}
