package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"github.com/robfig/cron/v3"
)

// keyDestinations is the setting that holds the destinations the owner
// added, as a JSON array of domain.Destination.
const keyDestinations = "backup.destinations"

// MaxDestinations bounds the destinations the owner may add.
const MaxDestinations = 10

// destNamePattern is what a destination's name may be.
var destNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// errUnplugged is the error of a backup to a destination whose folder is
// missing or not mounted. Scheduled runs record it as skipped and try again
// at their next time; it is never retried in a loop.
type errUnplugged struct{ d domain.Destination }

func (e errUnplugged) Error() string {
	return fmt.Sprintf("Destination %q (%s) is not connected: the folder is missing or is not the backup folder (no %s). Plug in or mount it; scheduled backups try again at their next time.", e.d.Name, e.d.Dir, markerFile)
}

// asDomain is the error as shown to the owner (ECONFLICT).
func (e errUnplugged) asDomain() error {
	return &wrappedErr{domain.Errorf(domain.ECONFLICT, "%s", e.Error()), e}
}

// Destinations returns the destinations the owner added.
func (m *Manager) destinations(ctx context.Context) ([]domain.Destination, error) {
	all, err := store.NewSettings(m.DB).All(ctx)
	if err != nil {
		return nil, err
	}
	out := []domain.Destination{}
	if v := all[keyDestinations]; v != "" {
		if err := json.Unmarshal([]byte(v), &out); err != nil {
			return nil, fmt.Errorf("read destinations: %w", err)
		}
	}
	return out, nil
}

// saveDestinations stores the destinations.
func (m *Manager) saveDestinations(ctx context.Context, ds []domain.Destination) error {
	data, err := json.Marshal(ds)
	if err != nil {
		return fmt.Errorf("write destinations: %w", err)
	}
	return store.NewSettings(m.DB).Set(ctx, map[string]string{keyDestinations: string(data)})
}

// Destinations returns every destination with its state: the local backups
// folder first, then those the owner added.
func (m *Manager) Destinations(ctx context.Context) ([]domain.DestinationStatus, error) {
	ds, err := m.destinations(ctx)
	if err != nil {
		return nil, err
	}
	local := domain.DestinationStatus{Destination: domain.Destination{Name: domain.DestinationLocal, Dir: m.Dir, Keep: m.Retention.Keep}, Connected: true}
	if sch, err := LoadSchedule(ctx, store.NewSettings(m.DB)); err == nil {
		local.Cron, local.Keep = sch.Backup, sch.Keep
	}
	m.describeSets(&local, m.Dir)
	out := []domain.DestinationStatus{local}
	for _, d := range ds {
		st := domain.DestinationStatus{Destination: d}
		if _, err := m.ForDestination(d); err != nil {
			st.Problem = domain.ErrorMessage(err)
			var u errUnplugged
			if errors.As(err, &u) {
				st.Problem = u.Error()
			}
		} else {
			st.Connected = true
			m.describeSets(&st, d.Dir)
		}
		out = append(out, st)
	}
	for i := range out {
		if spec, err := parseCron("cron", out[i].Cron); err == nil && spec != nil {
			if t := spec.Next(m.now()); !t.IsZero() {
				out[i].NextRun = &t
			}
		}
	}
	return out, nil
}

// describeSets fills the set count and the newest set's time of st.
func (m *Manager) describeSets(st *domain.DestinationStatus, dir string) {
	c, _, err := readCatalog(dir)
	if err != nil {
		return
	}
	st.Sets = len(c.Backups)
	for _, b := range c.Backups {
		if st.LastBackup == nil || b.CreatedAt.After(*st.LastBackup) {
			t := b.CreatedAt
			st.LastBackup = &t
		}
	}
}

// findDestination returns the destination called name.
func (m *Manager) findDestination(ctx context.Context, name string) (domain.Destination, error) {
	ds, err := m.destinations(ctx)
	if err != nil {
		return domain.Destination{}, err
	}
	for _, d := range ds {
		if d.Name == name {
			return d, nil
		}
	}
	return domain.Destination{}, domain.Errorf(domain.ENOTFOUND, "There is no backup destination called %q; \"reelvault destination list\" shows them.", name)
}

// ValidateDestination checks d's fields. Returns EINVALID naming the first
// bad field.
func ValidateDestination(d domain.Destination) error {
	if !destNamePattern.MatchString(d.Name) || d.Name == domain.DestinationLocal {
		return domain.Invalidf("name", "A destination name is 1 to 32 lowercase letters, digits, - and _ (and not %q), not %q.", domain.DestinationLocal, d.Name)
	}
	if d.Dir == "" || len(d.Dir) > 4096 || !filepath.IsAbs(d.Dir) {
		return domain.Invalidf("dir", "The destination folder must be an absolute path, not %q.", d.Dir)
	}
	sch, err := parseCron("cron", d.Cron)
	if err != nil {
		return err
	}
	if err := checkInterval("backup", d.Cron, sch, time.Now()); err != nil {
		return domain.Invalidf("cron", "%s", domain.ErrorMessage(err))
	}
	if d.Keep < 1 || d.Keep > MaxKeep {
		return domain.Invalidf("keep", "Keep must be between 1 and %d scheduled backups, not %d.", MaxKeep, d.Keep)
	}
	return nil
}

// AddDestination adds a folder that receives backup sets: it must exist and
// be writable. With d.Encrypted, its sets are encrypted and restore only
// with passphrase. A folder that already is a destination (it holds a
// marker, say after a reinstall) is taken as it is; an encrypted one only
// with its passphrase. Returns EINVALID naming the bad field, ECONFLICT for
// a name or folder already used.
func (m *Manager) AddDestination(ctx context.Context, d domain.Destination, passphrase string) (*domain.DestinationStatus, error) {
	if d.Keep == 0 {
		d.Keep = DefaultKeep
	}
	d.Dir = filepath.Clean(d.Dir)
	d.Cron = strings.TrimSpace(d.Cron)
	if err := ValidateDestination(d); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(d.Dir); err != nil || !fi.IsDir() {
		return nil, domain.Invalidf("dir", "%s is not an existing folder; plug in or mount the disk first.", d.Dir)
	}
	if local, _ := filepath.Abs(m.Dir); within(d.Dir, local) || d.Dir == filepath.Dir(m.DB.Path) {
		return nil, domain.Invalidf("dir", "%s is the local backups folder or the data folder; pick another folder.", d.Dir)
	}
	ds, err := m.destinations(ctx)
	if err != nil {
		return nil, err
	}
	if len(ds) >= MaxDestinations {
		return nil, domain.Invalidf("name", "There are already %d destinations, the most allowed; remove one first.", MaxDestinations)
	}
	for _, o := range ds {
		if o.Name == d.Name {
			return nil, domain.Errorf(domain.ECONFLICT, "There is already a destination called %q.", d.Name)
		}
		if o.Dir == d.Dir {
			return nil, domain.Errorf(domain.ECONFLICT, "%s is already destination %q.", d.Dir, o.Name)
		}
	}
	mk, ok, err := readMarker(d.Dir)
	if err != nil {
		return nil, err
	}
	switch {
	case ok && mk.Encrypted:
		if _, err := mk.unlock(passphrase, d.Name); err != nil {
			return nil, err
		}
		d.Encrypted = true
	case ok && d.Encrypted:
		return nil, domain.Invalidf("encrypt", "%s already holds unencrypted backups; pick an empty folder for an encrypted destination.", d.Dir)
	case !ok:
		if mk, err = newMarker(d.Name, d.Encrypted, passphrase); err != nil {
			return nil, err
		}
		data, _ := json.MarshalIndent(mk, "", "  ")
		if err := writeFileAtomic(filepath.Join(d.Dir, markerFile), append(data, '\n')); err != nil {
			return nil, unwritable(d.Dir, errors.Unwrap(err))
		}
	}
	d.AddedAt = m.now().UTC()
	if err := m.saveDestinations(ctx, append(ds, d)); err != nil {
		return nil, err
	}
	st := &domain.DestinationStatus{Destination: d, Connected: true}
	m.describeSets(st, d.Dir)
	return st, nil
}

// RemoveDestination forgets a destination; its folder and backups stay.
// Returns ENOTFOUND.
func (m *Manager) RemoveDestination(ctx context.Context, name string) error {
	ds, err := m.destinations(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ds, func(d domain.Destination) bool { return d.Name == name })
	if i < 0 {
		return domain.Errorf(domain.ENOTFOUND, "There is no backup destination called %q.", name)
	}
	return m.saveDestinations(ctx, slices.Delete(ds, i, i+1))
}

// ForDestination returns a Manager whose backups go to d. A folder that is
// missing or holds no marker is unplugged (errUnplugged): nothing is
// created there.
func (m *Manager) ForDestination(d domain.Destination) (*Manager, error) {
	fi, err := os.Stat(d.Dir)
	if err != nil || !fi.IsDir() {
		return nil, errUnplugged{d}
	}
	mk, ok, err := readMarker(d.Dir)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errUnplugged{d}
	}
	return &Manager{
		DB:          m.DB,
		Dir:         d.Dir,
		Retention:   Retention{Keep: d.Keep},
		StepPages:   m.StepPages,
		Method:      m.Method,
		Now:         m.Now,
		Logger:      m.Logger,
		Destination: d.Name,
		MediaPace:   m.MediaPace,
		key:         mk,
		local:       m,
	}, nil
}

// BackupTo takes a backup set into the destination called name (the local
// folder for "" or "local"). Returns ENOTFOUND for an unknown destination,
// ECONFLICT when it is unplugged or another backup runs.
func (m *Manager) BackupTo(ctx context.Context, name string, opts Options) (*domain.Backup, error) {
	if name == "" || name == domain.DestinationLocal {
		return m.Backup(ctx, opts)
	}
	if opts.Out != "" {
		return nil, domain.Invalidf("out", "A backup goes either to a file (--out) or to a destination (--to), not both.")
	}
	d, err := m.findDestination(ctx, name)
	if err != nil {
		return nil, err
	}
	dm, err := m.ForDestination(d)
	if err != nil {
		var u errUnplugged
		if errors.As(err, &u) {
			return nil, u.asDomain()
		}
		return nil, err
	}
	// One backup or restore at a time for the data folder: the local lock
	// too, so a restore never swaps the database under this copy.
	unlock, err := m.lock("backup")
	if err != nil {
		return nil, err
	}
	defer unlock()
	return dm.Backup(ctx, opts)
}

// ListAll returns the verified sets of every connected destination: the
// local folder's, then each added destination's, newest first within each.
func (m *Manager) ListAll(ctx context.Context) ([]*domain.Backup, error) {
	out, err := m.List(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := m.destinations(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		dm, err := m.ForDestination(d)
		if err != nil {
			continue // unplugged: shown by Destinations
		}
		list, err := dm.List(ctx)
		if err != nil {
			m.Logger.Warn("list destination", "destination", d.Name, "err", err)
			continue
		}
		out = append(out, list...)
	}
	return out, nil
}

// findInDestinations finds the set called name in a connected destination;
// nil when none has it.
func (m *Manager) findInDestinations(ctx context.Context, name string) (*setRef, error) {
	ds, err := m.destinations(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		dm, err := m.ForDestination(d)
		if err != nil {
			continue
		}
		c, _, err := readCatalog(d.Dir)
		if err != nil {
			continue
		}
		b := c.find(name)
		if b == nil {
			continue
		}
		path := filepath.Join(d.Dir, b.Name)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return &setRef{path: path, sum: b.SHA256, name: b.Name, dir: d.Dir, dest: d.Name, key: dm.key, encrypted: strings.HasSuffix(b.Name, ".age")}, nil
	}
	return nil, nil
}

// within reports whether the clean path p is dir or lies inside it.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// DestinationJob returns the stable job ID of the scheduled backups of the
// destination called name: "backup@NAME".
func DestinationJob(name string) string { return JobBackup + "@" + name }

// destinationJob returns the body of the scheduled backup job of the
// destination called name. An unplugged destination is a skipped run, to
// be tried again at the next scheduled time.
func (s *Scheduler) destinationJob(name string) jobFunc {
	return func(ctx context.Context) (int64, string, error) {
		b, err := s.Manager.BackupTo(ctx, name, Options{Kind: domain.BackupScheduled})
		var u errUnplugged
		if errors.As(err, &u) {
			return 0, "", errNothingToDo{u.Error()}
		}
		if err != nil {
			return 0, "", err
		}
		return b.Size, b.Name, nil
	}
}

// registerDestinations (re)registers the scheduled backup job of every
// destination with a schedule; the caller holds s.mu.
func (s *Scheduler) registerDestinations(ds []domain.Destination) {
	for id, entry := range s.destEntries {
		s.cron.Remove(entry)
		delete(s.destEntries, id)
	}
	for _, d := range ds {
		spec, err := parseCron("cron", d.Cron)
		if err != nil || spec == nil {
			continue
		}
		id, fn := DestinationJob(d.Name), s.patient(s.destinationJob(d.Name))
		s.destEntries[id] = s.cron.Schedule(spec, cron.FuncJob(func() {
			s.wg.Add(1)
			defer s.wg.Done()
			if _, err := s.runFunc(s.ctx, id, fn); err != nil {
				s.Logger.Error("job failed", "job", id, "err", err)
			}
		}))
	}
}

// refreshDestinations re-registers the destinations' jobs when the stored
// destinations changed (added or removed by another process, such as the
// command line).
func (s *Scheduler) refreshDestinations() {
	s.mu.Lock()
	ctx := s.ctx
	running := s.cron != nil
	s.mu.Unlock()
	if !running {
		return
	}
	ds, err := s.Manager.destinations(ctx)
	if err != nil {
		return
	}
	key, _ := json.Marshal(ds)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cron == nil || string(key) == s.destKey {
		return
	}
	s.destKey = string(key)
	s.registerDestinations(ds)
}

// Destinations returns every destination with its state and next run.
func (s *Scheduler) Destinations(ctx context.Context) ([]domain.DestinationStatus, error) {
	ds, err := s.Manager.Destinations(ctx)
	if err != nil {
		return nil, err
	}
	next := s.Next()
	for i := range ds {
		id := JobBackup
		if ds[i].Name != domain.DestinationLocal {
			id = DestinationJob(ds[i].Name)
		}
		if t, ok := next[id]; ok {
			ds[i].NextRun = &t
		}
	}
	return ds, nil
}

// AddDestination adds a destination and schedules it at once.
func (s *Scheduler) AddDestination(ctx context.Context, d domain.Destination, passphrase string) (*domain.DestinationStatus, error) {
	st, err := s.Manager.AddDestination(ctx, d, passphrase)
	if err == nil {
		s.refreshDestinations()
	}
	return st, err
}

// RemoveDestination forgets a destination and its schedule.
func (s *Scheduler) RemoveDestination(ctx context.Context, name string) error {
	err := s.Manager.RemoveDestination(ctx, name)
	if err == nil {
		s.refreshDestinations()
	}
	return err
}

// at returns the manager of the destination named dest and its name: m
// itself for "" or the local folder. Returns EINVALID for a malformed
// name, ENOTFOUND for an unknown one and the unplugged error of a
// destination that is not connected.
func (m *Manager) at(ctx context.Context, dest string) (*Manager, string, error) {
	if dest == "" || dest == domain.DestinationLocal {
		return m, domain.DestinationLocal, nil
	}
	if !destNamePattern.MatchString(dest) {
		return nil, "", domain.Invalidf("destination", "%q is not a destination name; \"reelvault destination list\" shows them.", dest)
	}
	d, err := m.findDestination(ctx, dest)
	if err != nil {
		return nil, "", err
	}
	dm, err := m.ForDestination(d)
	if err != nil {
		var u errUnplugged
		if errors.As(err, &u) {
			return nil, "", u.asDomain()
		}
		return nil, "", err
	}
	return dm, d.Name, nil
}
