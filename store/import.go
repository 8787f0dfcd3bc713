package store

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// importedKeyHash marks users created by an import: no API key hashes to it
// (real hashes are 64 hex digits), so such a user needs RotateKey first.
const importedKeyHash = "imported:"

// maxTaskSeconds bounds an imported task's duration (started to finished):
// a year. JSON cannot carry NaN or Inf, so the range check is enough.
const maxTaskSeconds = 365 * 24 * 60 * 60

// taskIDRE accepts the task IDs Reelvault writes (UUIDs) and similar tokens.
var taskIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Import reads an export document (JSON or NDJSON, as Export writes) and
// adds its users and tasks. All is written or nothing is (in chunks with
// an undo journal on SQLite, see import_bulk.go): the header is validated
// before anything is written, each task as it is read, and a bad record
// takes back what was written before it. Tasks whose
// task_id already exists are skipped, so importing a file twice is harmless;
// existing users are kept as they are. Users created by an import have no
// API key until it is rotated.
//
// Returns EINVALID naming the first bad record by position and reason,
// EFORBIDDEN for a non-owner.
func (s *ExportService) Import(ctx context.Context, r io.Reader) (*domain.ImportResult, error) {
	if _, err := ownerFrom(ctx); err != nil {
		return nil, err
	}
	rs, cleanup, err := seekable(r)
	if err != nil {
		return nil, err
	}
	defer cleanup()

	// The header and the users are validated before anything is written;
	// each task is validated as it is decoded for writing, on the decoding
	// goroutine, and a bad one undoes what the import wrote before it (see
	// import_bulk.go): one pass over the file instead of two.
	local, err := s.localUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	known := make(map[string]bool, len(local))
	for _, u := range local {
		known[u.Username] = true
	}
	h, err := readHeader(rs)
	if err != nil {
		return nil, err
	}
	if err := validateHeader(h, local, known); err != nil {
		return nil, err
	}
	seen := newTaskIDSeen()
	validate := func(pos int, t *ExportTask) error {
		if first, dup := seen.add(t.TaskID, pos); dup {
			return domain.Invalidf(fmt.Sprintf("tasks[%d].task_id", pos), "Task %d (%s): the task_id %s already appears in task %d of the file.", pos, t.TaskID, t.TaskID, first)
		}
		return validateImportTask(pos, t, known)
	}

	res, err := s.importWrite(ctx, rs, h, validate)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return nil, err
		}
		return nil, fmt.Errorf("import: %w", err)
	}
	if res.Tasks > 0 {
		// Statistics are derived from the tasks; recompute them all.
		if err := NewStatsService(s.db).RebuildStats(ctx); err != nil {
			return res, fmt.Errorf("import: statistics: %w", err)
		}
	}
	return res, nil
}

// seekable returns r as a ReadSeeker, spooling it to a temporary file when
// it cannot seek (an HTTP body), so that validation and writing can each
// read it once without holding it in memory.
func seekable(r io.Reader) (io.ReadSeeker, func(), error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		return rs, func() {}, nil
	}
	f, err := os.CreateTemp("", "reelvault-import-*")
	if err != nil {
		return nil, nil, fmt.Errorf("import: spool: %w", err)
	}
	cleanup := func() {
		f.Close()
		os.Remove(f.Name())
	}
	if _, err := io.Copy(f, r); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("import: spool: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("import: spool: %w", err)
	}
	return f, cleanup, nil
}

// readExport streams an export document: head (if not nil) is called with
// the complete header before the first task, then task for each task with
// its 1-based position. Both layouts are read: one JSON object (keys in any
// order; Reelvault writes "tasks" last) or NDJSON (a header line, then one
// task per line). When head is set the header is found first by a scan that
// skips task bodies and stops at "tasks" once format, version and users are
// known, so a file with sorted keys costs one extra read and Reelvault's own
// layout none.
func readExport(rs io.ReadSeeker, head func(*ExportHeader) error, task func(pos int, t *ExportTask) error) error {
	if head != nil {
		h, err := readHeader(rs)
		if err != nil {
			return err
		}
		if err := head(h); err != nil {
			return err
		}
	}
	_, err := walkExport(rs, task)
	return err
}

// readHeader reads the header of the export at rs and rewinds it.
func readHeader(rs io.ReadSeeker) (*ExportHeader, error) {
	h, err := walkExport(rs, nil)
	if err != nil {
		return nil, err
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rewind: %w", err)
	}
	return h, nil
}

// walkExport reads an export document, calling task for each task. With a
// nil task it reads only the header: task bodies are skipped, and it returns
// at "tasks" once format, version and users have been read.
func walkExport(r io.Reader, task func(pos int, t *ExportTask) error) (*ExportHeader, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 256<<10))
	dec.DisallowUnknownFields()
	notExport := domain.Invalidf("file", "The file is not a Reelvault export (it must be a JSON object with format %q).", ExportFormat)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, notExport
	}
	var h ExportHeader
	seen := make(map[string]bool)
	pos := 0
	readTask := func() error {
		pos++
		var t ExportTask
		var err error
		if task == nil {
			var raw json.RawMessage
			err = dec.Decode(&raw)
		} else {
			err = dec.Decode(&t)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return domain.Invalidf(fmt.Sprintf("tasks[%d]", pos), "Task %d is cut off: the file is truncated.", pos)
		} else if err != nil {
			return domain.Invalidf(fmt.Sprintf("tasks[%d]", pos), "Task %d cannot be read: %v.", pos, err)
		}
		if task == nil {
			return nil
		}
		return task(pos, &t)
	}
	hadTasks := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, notExport
		}
		key, _ := tok.(string)
		if seen[key] {
			return nil, domain.Invalidf(key, "The field %q appears twice in the export.", key)
		}
		seen[key] = true
		var derr error
		switch key {
		case "format":
			derr = dec.Decode(&h.Format)
		case "version":
			derr = dec.Decode(&h.Version)
		case "exported_at":
			derr = dec.Decode(&h.ExportedAt)
		case "filter":
			derr = dec.Decode(&h.Filter)
		case "users":
			derr = dec.Decode(&h.Users)
		case "tasks":
			hadTasks = true
			if task == nil && seen["format"] && seen["version"] && seen["users"] {
				return &h, nil
			}
			if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
				return nil, domain.Invalidf("tasks", "The tasks of the export must be a JSON array.")
			}
			for dec.More() {
				if err := readTask(); err != nil {
					return nil, err
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, domain.Invalidf("tasks", "The tasks array is not closed: the file is truncated.")
			}
		default:
			return nil, domain.Invalidf(key, "Unknown field %q in the export header.", key)
		}
		if derr != nil {
			return nil, domain.Invalidf(key, "The %q field of the export header cannot be read: %v.", key, derr)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, domain.Invalidf("file", "The export is not closed: the file is truncated.")
	}
	if !hadTasks {
		// NDJSON: the object was the header line; the tasks follow.
		if task == nil {
			return &h, nil
		}
		for dec.More() {
			if err := readTask(); err != nil {
				return nil, err
			}
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, domain.Invalidf("file", "Unexpected data after task %d.", pos)
	}
	return &h, nil
}

// localUser is what validation needs of an existing user.
type localUser struct {
	Username string  `db:"username"`
	Email    *string `db:"email"`
}

// localUsers returns the database's users by case-folded username.
func (s *ExportService) localUsers(ctx context.Context) (map[string]localUser, error) {
	local := make(map[string]localUser)
	err := s.db.read(ctx, false, func(tx *tx) error {
		var rows []localUser
		if err := tx.sel(&rows, `SELECT username, email FROM users`); err != nil {
			return err
		}
		for _, u := range rows {
			local[domain.UsernameKey(u.Username)] = u
		}
		return nil
	})
	return local, err
}

// validateHeader checks the format, version and users, and adds the file's
// users to known. A file user that exists locally must be the same person:
// the same spelling and the same email, or the import is refused naming the
// record (it is not merged, because the file's tasks would then be charged
// to someone else). A new user's email must not belong to another user.
func validateHeader(h *ExportHeader, local map[string]localUser, known map[string]bool) error {
	if h.Format != ExportFormat {
		return domain.Invalidf("format", "The file is not a Reelvault export (format %q, want %q).", h.Format, ExportFormat)
	}
	if h.Version == 0 {
		return domain.Invalidf("version", "The export has no \"version\" field (this Reelvault reads versions 1 to %d).", ExportVersion)
	}
	if h.Version < 1 || h.Version > ExportVersion {
		return domain.Invalidf("version", "Export version %d is not supported by this Reelvault (it reads up to %d).", h.Version, ExportVersion)
	}
	emails := make(map[string]string) // lower-case email → username using it
	for _, u := range local {
		if u.Email != nil {
			emails[strings.ToLower(*u.Email)] = u.Username
		}
	}
	seen := make(map[string]string, len(h.Users))
	for i, u := range h.Users {
		field := func(name string) string { return fmt.Sprintf("users[%d].%s", i, name) }
		if u == nil {
			return domain.Invalidf(fmt.Sprintf("users[%d]", i), "User %d is null.", i+1)
		}
		if err := domain.ValidateUsername(u.Username); err != nil {
			return domain.Invalidf(field("username"), "User %d: %s", i+1, domain.ErrorMessage(err))
		}
		k := domain.UsernameKey(u.Username)
		if other, dup := seen[k]; dup {
			return domain.Invalidf(field("username"), "User %d: %q appears twice (as %q before; usernames are unique regardless of letter case).", i+1, u.Username, other)
		}
		seen[k] = u.Username
		if err := domain.ValidateQuota(u.Quota); err != nil {
			return domain.Invalidf(field("quota"), "User %d (%s): %s", i+1, u.Username, domain.ErrorMessage(err))
		}
		if u.UsedQuota < 0 || u.UsedQuota > domain.MaxQuota {
			return domain.Invalidf(field("used_quota"), "User %d (%s): the used_quota must be from 0 to %d.", i+1, u.Username, domain.MaxQuota)
		}
		if err := domain.ValidateEmail(u.Email); err != nil {
			return domain.Invalidf(field("email"), "User %d (%s): %s", i+1, u.Username, domain.ErrorMessage(err))
		}
		if u.CreatedAt.IsZero() || u.UpdatedAt.IsZero() {
			return domain.Invalidf(field("created_at"), "User %d (%s): created_at and updated_at are required.", i+1, u.Username)
		}
		if l, ok := local[k]; ok {
			localEmail := ""
			if l.Email != nil {
				localEmail = *l.Email
			}
			switch {
			case l.Username != u.Username:
				return domain.Invalidf(field("username"), "User %d (%s): this database has user %s, which differs only in letter case; usernames are unique regardless of case. Rename one of them before importing.", i+1, u.Username, l.Username)
			case !strings.EqualFold(localEmail, u.Email):
				return domain.Invalidf(field("email"), "User %d (%s): the file gives email %q but this database's %s has %q; they may be different people, so the import is refused. Make the emails agree first.", i+1, u.Username, u.Email, l.Username, localEmail)
			}
		} else if u.Email != "" {
			if owner, taken := emails[strings.ToLower(u.Email)]; taken {
				return domain.Invalidf(field("email"), "User %d (%s): the email %s is already used by user %s.", i+1, u.Username, u.Email, owner)
			}
			emails[strings.ToLower(u.Email)] = u.Username
		}
		known[u.Username] = true
	}
	return nil
}

// validateImportTask checks one task of an import; errors name its position.
func validateImportTask(pos int, t *ExportTask, known map[string]bool) error {
	bad := func(field, format string, args ...any) error {
		return domain.Invalidf(fmt.Sprintf("tasks[%d].%s", pos, field), "Task %d (%s): %s", pos, t.TaskID, fmt.Sprintf(format, args...))
	}
	wrap := func(err error) error {
		return domain.Invalidf(fmt.Sprintf("tasks[%d].%s", pos, domain.ErrorField(err)), "Task %d (%s): %s", pos, t.TaskID, domain.ErrorMessage(err))
	}
	switch {
	case !taskIDRE.MatchString(t.TaskID):
		return bad("task_id", "the task ID must be 1 to 64 letters, digits, '-' or '_'.")
	case !known[t.Username]:
		return bad("username", "user %q is neither in the file nor in this database.", t.Username)
	case !t.Status.Valid():
		return bad("status", "status %q is not one of pending, processing, completed, failed, cancelled.", t.Status)
	case t.Progress < 0 || t.Progress > 100:
		return bad("progress", "progress must be between 0 and 100, not %d.", t.Progress)
	case t.TotalScenes < 0 || t.TotalScenes > domain.MaxScenes:
		return bad("total_scenes", "total_scenes must be between 0 and %d, not %d.", domain.MaxScenes, t.TotalScenes)
	case t.CompletedScenes < 0 || t.CompletedScenes > t.TotalScenes:
		return bad("completed_scenes", "completed_scenes must be between 0 and total_scenes (%d), not %d.", t.TotalScenes, t.CompletedScenes)
	case t.Attempts < 0 || t.Attempts > domain.MaxAttemptsCap:
		return bad("attempts", "attempts must be from 0 to %d.", domain.MaxAttemptsCap)
	case t.CreatedAt.IsZero() || t.UpdatedAt.IsZero():
		return bad("created_at", "created_at and updated_at are required.")
	case t.Duration != nil && !(*t.Duration >= 0 && *t.Duration <= maxTaskSeconds):
		return bad("duration", "the duration must be a number of seconds from 0 to %d.", maxTaskSeconds)
	}
	if err := validText("prompt", "prompt", t.Prompt, domain.MaxPromptChars); err != nil {
		return wrap(err)
	}
	if err := validateImportLibrary(t); err != nil {
		return wrap(err)
	}
	scripts := make([]domain.ScriptInput, len(t.Scripts))
	for i, s := range t.Scripts {
		if s == nil {
			return bad(fmt.Sprintf("scripts[%d]", i), "a script is null.")
		}
		scripts[i] = domain.ScriptInput{SceneNumber: s.SceneNumber, Description: s.Description, Duration: s.Duration,
			CameraMovement: s.CameraMovement, Lighting: s.Lighting}
	}
	if err := validateScripts(scripts); err != nil {
		return wrap(err)
	}
	scenes := make(map[int]bool, len(t.Videos))
	for i, v := range t.Videos {
		if v == nil {
			return bad(fmt.Sprintf("videos[%d]", i), "a video is null.")
		}
		field := func(name string) string { return fmt.Sprintf("videos[%d].%s", i, name) }
		switch {
		case v.SceneNumber < 0 || v.SceneNumber > domain.MaxScenes:
			return bad(field("scene_number"), "video scene numbers must be between 0 and %d, not %d.", domain.MaxScenes, v.SceneNumber)
		case scenes[v.SceneNumber]:
			return bad(field("scene_number"), "scene %d has two videos.", v.SceneNumber)
		case v.FilePath == "" || len(v.FilePath) > MaxPathChars:
			return bad(field("file_path"), "a video needs a file path of at most %d characters.", MaxPathChars)
		}
		if err := domain.CheckVideoNumbers(v.FileSize, v.Duration, v.Width, v.Height, v.FPS); err != nil {
			return bad(field(domain.ErrorField(err)), "video of scene %d: %s", v.SceneNumber, domain.ErrorMessage(err))
		}
		if err := domain.CheckVideoNumbers(nil, v.ClaimedDuration, v.ClaimedWidth, v.ClaimedHeight, v.ClaimedFPS); err != nil {
			return bad(field("claimed_"+domain.ErrorField(err)), "video of scene %d: %s", v.SceneNumber, domain.ErrorMessage(err))
		}
		if f, why := checkExportFacts(v); why != "" {
			return bad(field(f), "video of scene %d: %s", v.SceneNumber, why)
		}
		scenes[v.SceneNumber] = true
	}
	for i, e := range t.Events {
		if e == nil || e.Type == "" || !e.Status.Valid() || e.Progress < 0 || e.Progress > 100 || e.CreatedAt.IsZero() {
			return bad(fmt.Sprintf("events[%d]", i), "each event needs a type, a valid status, progress 0–100 and created_at.")
		}
	}
	return nil
}

// validateImportLibrary checks a task's library fields (see ExportTask).
func validateImportLibrary(t *ExportTask) error {
	if err := domain.ValidateRating(t.Rating); err != nil {
		return err
	}
	if len(t.Tags) > domain.MaxTagsPerTask {
		return domain.Invalidf("tags", "a task holds at most %d tags, not %d.", domain.MaxTagsPerTask, len(t.Tags))
	}
	for _, tag := range t.Tags {
		if _, err := domain.NormalizeTag(tag); err != nil {
			return domain.Invalidf("tags", "%s", domain.ErrorMessage(err))
		}
	}
	for _, c := range t.Collections {
		if _, err := domain.NormalizeCollectionName(c); err != nil {
			return domain.Invalidf("collections", "%s", domain.ErrorMessage(err))
		}
	}
	if t.RerunOf != "" && !taskIDRE.MatchString(t.RerunOf) {
		return domain.Invalidf("rerun_of", "rerun_of must be a task ID of 1 to 64 letters, digits, '-' or '_'.")
	}
	if t.TrashedAt != nil && t.TrashedAt.IsZero() {
		return domain.Invalidf("trashed_at", "trashed_at is not a valid time.")
	}
	return nil
}

// importUsers creates the users of the file that do not exist yet and
// returns the ID of every username in the file or the database. A new user
// starts with used_quota 0 whatever the file says: chargeQuota then adds
// the tasks actually written for it, so used_quota stays the number of
// tasks created in this database.
func importUsers(tx *tx, users []*ExportUser, importID int64) (map[string]int64, int, error) {
	var imp any
	if importID != 0 {
		imp = importID
	}
	created := 0
	for i, u := range users {
		var email *string
		if u.Email != "" {
			email = &u.Email
		}
		res, err := tx.exec(`
			INSERT INTO users (
				username,
				username_key,
				email,
				api_key_hash,
				key_prefix,
				quota,
				used_quota,
				is_active,
				created_at,
				updated_at,
				import_id
			) VALUES (?, ?, ?, ?, '', ?, 0, ?, ?, ?, ?)
			ON CONFLICT (username_key) DO NOTHING`,
			u.Username, domain.UsernameKey(u.Username), email, importedKeyHash+randomToken(), u.Quota, u.IsActive,
			micros(u.CreatedAt), micros(u.UpdatedAt), imp)
		if err != nil {
			return nil, 0, fmt.Errorf("user %d (%s): %w", i+1, u.Username, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, 0, err
		} else if n > 0 {
			created++
		}
	}
	var rows []struct {
		ID       int64  `db:"id"`
		Username string `db:"username"`
	}
	if err := tx.sel(&rows, `SELECT id, username FROM users`); err != nil {
		return nil, 0, err
	}
	ids := make(map[string]int64, len(rows))
	for _, r := range rows {
		ids[r.Username] = r.ID
	}
	return ids, created, nil
}

// chargeQuota adds each user's imported tasks to its used_quota, as
// CreateTask would have. An import may take a user past its quota (the owner
// chose to bring the history in); the user then creates no new task until
// the owner raises the quota.
func chargeQuota(tx *tx, charged map[int64]int) error {
	for id, n := range charged {
		if _, err := tx.exec(`UPDATE users SET used_quota = used_quota + ? WHERE id = ?`, n, id); err != nil {
			return fmt.Errorf("charge quota: %w", err)
		}
	}
	return nil
}

// importLabels gives the imported task row id its tags and collections,
// creating those this database does not have yet (a name that differs
// only in case is the same), and links the reruns of t that were written
// before it.
func importLabels(tx *tx, id int64, t *ExportTask) error {
	for _, tag := range t.Tags {
		tag, _ = domain.NormalizeTag(tag) // validated
		tid, err := tagID(tx, tag, true)
		if err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO task_tags (task_id, tag_id, task_created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, id, tid, micros(t.CreatedAt)); err != nil {
			return fmt.Errorf("tag: %w", err)
		}
	}
	for _, name := range t.Collections {
		name, _ = domain.NormalizeCollectionName(name) // validated
		if _, err := tx.exec(`INSERT INTO collections (name, name_key, created_at) VALUES (?, ?, ?) ON CONFLICT (name_key) DO NOTHING`,
			name, nameKey(name), micros(tx.now)); err != nil {
			return fmt.Errorf("collection: %w", err)
		}
		if _, err := tx.exec(`
			INSERT INTO collection_tasks (collection_id, task_id, added_at, task_created_at)
			SELECT c.id, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT) FROM collections c WHERE c.name_key = ?
			ON CONFLICT DO NOTHING`, id, micros(tx.now), micros(t.CreatedAt), nameKey(name)); err != nil {
			return fmt.Errorf("collection: %w", err)
		}
	}
	return nil
}

// linkReruns sets rerun_of of the imported tasks whose origin (named by
// task_id in reruns: task → origin) was written after them.
func linkReruns(tx *tx, reruns map[string]string) error {
	for id, origin := range reruns {
		if _, err := tx.exec(`
			UPDATE tasks SET rerun_of = (SELECT o.id FROM tasks o WHERE o.task_id = ?)
			WHERE task_id = ? AND rerun_of IS NULL`, origin, id); err != nil {
			return fmt.Errorf("link reruns: %w", err)
		}
	}
	return nil
}

// microsPtr converts a nullable time to stored microseconds.
func microsPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	us := micros(*t)
	return &us
}

// randomToken returns 16 random bytes in hex.
func randomToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
