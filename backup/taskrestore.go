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
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// MaxPreviewTasks bounds each list of a domain.TaskPreview; the counts are exact.
const MaxPreviewTasks = 200

// taskIDPattern is what a task ID may look like (the store's own rule).
var taskIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// PreviewTasks compares the backup set source with the live history: tasks
// missing here, tasks changed, and the set's videos whose files are missing
// on disk here. Nothing is changed. Returns ENOTFOUND, EINVALID (damaged or
// foreign set), ECONFLICT (another backup or restore is running).
func (m *Manager) PreviewTasks(ctx context.Context, source string) (*domain.TaskPreview, error) {
	unlock, err := m.lock("preview")
	if err != nil {
		return nil, err
	}
	defer unlock()
	set, err := m.openSet(ctx, source, false)
	if err != nil {
		return nil, err
	}
	defer set.Close()

	p := &domain.TaskPreview{Backup: set.Name, SchemaVersion: set.Info.SchemaVersion, Tasks: []domain.PreviewTask{}}
	var missing, changed []string
	add := func(list *[]string, id string) {
		if len(*list) < MaxPreviewTasks {
			*list = append(*list, id)
		}
	}
	// The video files are looked for while the histories are compared:
	// one walk reads the database, the other waits on the file system.
	files := map[string][]string{} // task → missing paths (capped)
	var fileTasks []string
	var filesMissing int64
	filesCapped := false
	filesDone := make(chan error, 1)
	go func() {
		filesDone <- set.DB.EachVideoPath(ctx, func(taskID, path string) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if _, err := os.Stat(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			filesMissing++
			if _, seen := files[taskID]; !seen {
				if len(fileTasks) < MaxPreviewTasks {
					fileTasks = append(fileTasks, taskID)
					files[taskID] = nil
				} else {
					filesCapped = true
				}
			}
			if list, ok := files[taskID]; ok && len(list) < 20 {
				files[taskID] = append(list, path)
			}
			return nil
		})
	}()
	err = mergeSignatures(ctx, set.DB, m.DB, func(s, l *store.TaskSignature) {
		switch {
		case l == nil:
			p.SetTasks++
			p.Missing++
			add(&missing, s.TaskID)
		case s == nil:
			p.LiveTasks++
			p.OnlyHere++
		default:
			p.SetTasks++
			p.LiveTasks++
			if *s == *l {
				p.Same++
			} else {
				p.Changed++
				add(&changed, s.TaskID)
			}
		}
	})
	ferr := <-filesDone
	if err != nil {
		return nil, err
	}
	if ferr != nil {
		return nil, fmt.Errorf("preview: videos: %w", ferr)
	}
	p.FilesMissing = filesMissing

	// Describe the listed tasks as the set holds them.
	order := append(append(slices.Clip(missing), changed...), fileTasks...)
	diffOf := map[string]string{}
	for _, id := range fileTasks {
		diffOf[id] = domain.DiffFiles
	}
	for _, id := range changed {
		diffOf[id] = domain.DiffChanged
	}
	for _, id := range missing {
		diffOf[id] = domain.DiffMissing
	}
	order = slices.Compact(order)
	if len(order) > MaxPreviewTasks {
		order = order[:MaxPreviewTasks]
	}
	p.Truncated = filesCapped || p.Missing+p.Changed+int64(len(fileTasks)) > int64(len(order))
	_, recs, err := set.DB.TaskRecords(ctx, order)
	if err != nil {
		return nil, err
	}
	byID := map[string]*store.ExportTask{}
	for _, r := range recs {
		byID[r.TaskID] = r
	}
	seen := map[string]bool{}
	for _, id := range order {
		r := byID[id]
		if r == nil || seen[id] {
			continue
		}
		seen[id] = true
		p.Tasks = append(p.Tasks, domain.PreviewTask{TaskID: id, Diff: diffOf[id], Username: r.Username, Prompt: r.Prompt,
			Status: r.Status, CreatedAt: r.CreatedAt, MissingFiles: files[id]})
	}
	return p, nil
}

// mergeSignatures walks the task signatures of set and live together in
// task_id order and calls fn once per task_id with the set's and the live
// signature (nil where a side does not hold the task). Both are read as
// streams in their own snapshot, so memory stays flat at any size.
func mergeSignatures(ctx context.Context, set, live *store.DB, fn func(s, l *store.TaskSignature)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream := func(db *store.DB) (<-chan store.TaskSignature, <-chan error) {
		ch, errc := make(chan store.TaskSignature, 4096), make(chan error, 1)
		go func() {
			defer close(ch)
			errc <- db.EachTaskSignature(ctx, func(s store.TaskSignature) error {
				select {
				case ch <- s:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
		}()
		return ch, errc
	}
	sc, serr := stream(set)
	lc, lerr := stream(live)
	s, sok := <-sc
	l, lok := <-lc
	for sok || lok {
		switch {
		case sok && (!lok || s.TaskID < l.TaskID):
			fn(&s, nil)
			s, sok = <-sc
		case lok && (!sok || l.TaskID < s.TaskID):
			fn(nil, &l)
			l, lok = <-lc
		default:
			fn(&s, &l)
			s, sok = <-sc
			l, lok = <-lc
		}
	}
	if err := <-serr; err != nil {
		return fmt.Errorf("preview: read the set: %w", err)
	}
	if err := <-lerr; err != nil {
		return fmt.Errorf("preview: read the live history: %w", err)
	}
	return nil
}

// tasksUndo is the inverse of a task restore, written before it commits.
type tasksUndo struct {
	Source string              `json:"source"`
	At     time.Time           `json:"at"`
	Users  []*store.ExportUser `json:"users"`
	Tasks  []*store.ExportTask `json:"tasks"`  // the records as they were
	Absent []string            `json:"absent"` // the ids that were not here
	// Files are the video files the restore put in place, to take back.
	Files []undoFile `json:"files,omitempty"`
	// Redo, in the record an undo of a restore with files leaves, names
	// that restore: undoing the undo restores the tasks from the set again,
	// files and all.
	Redo *redoTasks `json:"redo,omitempty"`
}

// redoTasks names a restore of chosen tasks to run again.
type redoTasks struct {
	Set   string   `json:"set"`
	Tasks []string `json:"tasks"`
}

// RestoreTasks copies the tasks ids, with their scripts, videos and events,
// from the backup set source into the live database, replacing those tasks
// if they exist and touching nothing else. The live database keeps serving
// throughout: the write is one transaction, so a crash leaves the old or
// the new rows. The tasks as they were are journalled first; Undo puts them
// back.
//
// Returns EINVALID (no ids, a malformed id, too many, a damaged set),
// ENOTFOUND (no such set, or a task the set does not hold), ECONFLICT
// (another backup or restore runs).
func (m *Manager) RestoreTasks(ctx context.Context, source string, ids []string) (*domain.TaskRestoreResult, error) {
	if len(ids) == 0 {
		return nil, domain.Invalidf("task", "Name at least one task to restore.")
	}
	if len(ids) > store.MaxRestoreTasks {
		return nil, domain.Invalidf("task", "Restore at most %d tasks at a time, not %d.", store.MaxRestoreTasks, len(ids))
	}
	for _, id := range ids {
		if !taskIDPattern.MatchString(id) {
			return nil, domain.Invalidf("task", "%q is not a task ID.", id)
		}
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	unlock, err := m.lock("restore")
	if err != nil {
		return nil, err
	}
	defer unlock()
	return m.restoreTasks(ctx, source, ids)
}

// restoreTasks does the work of RestoreTasks; the caller holds the
// operation lock.
func (m *Manager) restoreTasks(ctx context.Context, source string, ids []string) (*domain.TaskRestoreResult, error) {
	set, err := m.openSet(ctx, source, false)
	if err != nil {
		return nil, err
	}
	defer set.Close()
	users, recs, err := set.DB.TaskRecords(ctx, ids)
	if err != nil {
		return nil, err
	}
	if len(recs) < len(ids) {
		for _, id := range ids {
			if !slices.ContainsFunc(recs, func(r *store.ExportTask) bool { return r.TaskID == id }) {
				return nil, domain.Errorf(domain.ENOTFOUND, "Backup %s holds no task %s.", set.Name, id)
			}
		}
	}
	fr, err := m.planTaskFiles(ctx, set, recs)
	if err != nil {
		return nil, err
	}
	mark := store.Mark{Key: markKey, Value: randomHex()}
	var undo []undoFile
	if fr != nil && len(fr.entries) > 0 {
		// The journal is written, then the files are staged beside their
		// places and verified, before any row changes: a crash from here
		// on is finished or undone at the next start by whether the rows
		// (and the mark with them) committed.
		if err := m.writeJournalOfFiles(journalOfFiles{Mark: mark.Value, Entries: fr.entries}); err != nil {
			return nil, err
		}
		if err := fr.stage(ctx, nil); err != nil {
			fr.discard()
			m.removeJournalOfFiles()
			return nil, err
		}
		for _, e := range fr.entries {
			undo = append(undo, undoFile{Target: e.Target, Aside: e.Aside, SHA256: e.file.SHA256})
		}
	}
	res, undoName, err := m.replaceJournalled(ctx, set.Name, users, recs, nil, mark, undo, nil)
	if err != nil {
		if len(undo) > 0 {
			fr.discard()
			m.removeJournalOfFiles()
		}
		return nil, err
	}
	out := &domain.TaskRestoreResult{Backup: set.Name, Added: res.Added, Replaced: res.Replaced, Days: res.Days, Undo: undoName}
	if fr != nil {
		out.Files = &fr.result
		if len(fr.entries) > 0 {
			aside, ferr := applyFiles(fr.entries)
			fr.result.KeptAside = aside
			if ferr == nil {
				ferr = m.removeJournalOfFiles()
			}
			if ferr != nil {
				// The rows are in; the journal stays, and the next backup
				// command or start finishes putting the files in place.
				return nil, fmt.Errorf("restore tasks: the tasks were restored but their files were not all put back (the next start finishes it): %w", ferr)
			}
		}
	}
	m.notify(domain.Notification{Type: "restore", Progress: 100, Data: res})
	m.Logger.Info("restored tasks", "source", set.Name, "added", len(res.Added), "replaced", len(res.Replaced), "files", len(undo))
	return out, nil
}

// planTaskFiles plans the video files of the tasks recs that the set holds
// and that are missing or differ here (the rule of a full restore: a
// different file is kept aside, never overwritten); nil when the set holds
// none of theirs. Each file kept aside gets a name nothing has yet, so the
// undo finds it.
func (m *Manager) planTaskFiles(ctx context.Context, set *openedSet, recs []*store.ExportTask) (*fileRestore, error) {
	dir, name := filepath.Dir(set.Path), filepath.Base(set.Path)
	mf, err := readManifest(dir, name)
	if err != nil || mf == nil {
		return nil, err
	}
	files, err := mf.files(nil)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, r := range recs {
		if r.FinalVideoPath != "" {
			want[r.FinalVideoPath] = true
		}
		for _, v := range r.Videos {
			want[v.FilePath] = true
		}
	}
	var chosen []manifestFile
	for _, f := range files {
		if want[f.Path] {
			chosen = append(chosen, f)
		}
	}
	if len(chosen) == 0 {
		return nil, nil
	}
	fr := &fileRestore{set: set.Name, files: chosen, store: &objectStore{dir: dir}, cache: loadHashCache(m.hashCachePath())}
	if err := fr.plan(ctx); err != nil {
		return nil, err
	}
	for i := range fr.entries {
		if _, err := os.Lstat(fr.entries[i].Aside); err == nil {
			fr.entries[i].Aside = asideName(fr.entries[i].Target, randomHex())
		}
	}
	return fr, nil
}

// replaceJournalled writes tasks (and removes remove) in the live
// database, journalling the inverse inside the transaction before it
// commits; a failed write puts the previous journal back.
//
// mark is stored with the rows (see journalOfFiles.Mark); files, the video
// files the write puts in place, are recorded for the undo, and redo for
// the undo of an undo.
func (m *Manager) replaceJournalled(ctx context.Context, source string, users []*store.ExportUser, tasks []*store.ExportTask, remove []string, mark store.Mark, files []undoFile, redo *redoTasks) (*store.ReplaceResult, string, error) {
	if err := os.MkdirAll(m.Dir, 0o700); err != nil {
		return nil, "", unwritable(m.Dir, err)
	}
	journal := filepath.Join(m.Dir, journalFile)
	prev, prevErr := os.ReadFile(journal)
	undoName := "task-restore-" + m.now().UTC().Format(nameTime) + "-" + randomHex() + ".json"
	undoPath := filepath.Join(m.Dir, undoName)
	written := false
	res, err := m.DB.ReplaceTasksMarked(ctx, users, tasks, remove, mark, func(old []*store.ExportTask, absent []string) error {
		data, err := json.Marshal(tasksUndo{Source: source, At: m.now().UTC(), Users: users, Tasks: old, Absent: absent, Files: files, Redo: redo})
		if err != nil {
			return err
		}
		if err := writeFileAtomic(undoPath, data); err != nil {
			return fmt.Errorf("write the undo record: %w", err)
		}
		j, _ := json.Marshal(restoreJournal{Tasks: undoName, Source: source, At: m.now().UTC()})
		if err := writeFileAtomic(journal, j); err != nil {
			return fmt.Errorf("write restore journal: %w", err)
		}
		written = true
		return nil
	})
	if err != nil {
		if written {
			os.Remove(undoPath)
			if prevErr == nil {
				writeFileAtomic(journal, prev)
			} else {
				os.Remove(journal)
			}
		}
		return nil, "", err
	}
	return res, undoName, nil
}

// undoTasks reverses the task restore recorded in j: the tasks it replaced
// get their old rows back and the ones it added are removed. The undo is
// itself journalled, so a second Undo restores the tasks again.
func (m *Manager) undoTasks(ctx context.Context, j restoreJournal) (*domain.RestoreResult, error) {
	if filepath.Base(j.Tasks) != j.Tasks || !namePatternUndo.MatchString(j.Tasks) {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no restore to undo (the restore journal is unreadable).")
	}
	path := filepath.Join(m.Dir, j.Tasks)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no restore to undo: its record %s is gone.", j.Tasks)
	} else if err != nil {
		return nil, fmt.Errorf("read the undo record: %w", err)
	}
	var u tasksUndo
	if err := json.Unmarshal(data, &u); err != nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no restore to undo (its record %s is unreadable).", j.Tasks)
	}
	if u.Redo != nil {
		// The undo of an undo of a restore with files: restore the tasks
		// from the set again, so the files come back with the rows. A set
		// that is gone leaves the rows alone to put back.
		if _, _, err := m.resolve(u.Redo.Set); err == nil {
			res, err := m.restoreTasks(ctx, u.Redo.Set, u.Redo.Tasks)
			if err != nil {
				return nil, err
			}
			os.Remove(path)
			return &domain.RestoreResult{Source: u.Source, Rows: map[string]int64{"tasks": int64(len(res.Added) + len(res.Replaced))}, Files: res.Files}, nil
		}
		m.Logger.Warn("the set of a restore of tasks is gone; undoing its undo puts the rows back without their files", "set", u.Redo.Set)
	}
	var redo *redoTasks
	if len(u.Files) > 0 {
		redo = &redoTasks{Set: u.Source, Tasks: slices.Clone(u.Absent)}
		for _, t := range u.Tasks {
			redo.Tasks = append(redo.Tasks, t.TaskID)
		}
		slices.Sort(redo.Tasks)
	}
	mark := store.Mark{Key: markKey, Value: randomHex()}
	if len(u.Files) > 0 {
		// Journalled before the rows change: a crash takes the files back
		// at the next start exactly when the old rows are back.
		if err := m.writeJournalOfFiles(journalOfFiles{Mark: mark.Value, Undo: u.Files}); err != nil {
			return nil, err
		}
	}
	res, _, err := m.replaceJournalled(ctx, "undo of "+u.Source, u.Users, u.Tasks, u.Absent, mark, nil, redo)
	if err != nil {
		if len(u.Files) > 0 {
			m.removeJournalOfFiles()
		}
		return nil, err
	}
	out := &domain.RestoreResult{Source: u.Source, Rows: map[string]int64{"tasks": int64(len(res.Added) + len(res.Replaced) + len(res.Removed))}}
	if len(u.Files) > 0 {
		files, ferr := undoFiles(u.Files)
		if ferr == nil {
			ferr = m.removeJournalOfFiles()
		}
		if ferr != nil {
			return nil, fmt.Errorf("undo: the tasks are back as they were but their files were not all taken back (the next start finishes it): %w", ferr)
		}
		out.Files = files
	}
	os.Remove(path)
	m.notify(domain.Notification{Type: "restore", Progress: 100, Data: res})
	return out, nil
}

// namePatternUndo matches the names of task restore undo records.
var namePatternUndo = regexp.MustCompile(`^task-restore-\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{16}\.json$`)
