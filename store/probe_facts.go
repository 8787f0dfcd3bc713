package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store/probe"
	"github.com/reelvault/reelvault/store/safefile"
)

// DefaultHashInline is the largest file whose SHA-256 is computed while it is
// registered (about 30 ms); a bigger file is hashed in the background
// after the registration commits, so a worker never waits on a 2 GB read.
const DefaultHashInline = 16 << 20

// MaxProbeErrorChars bounds a stored probe error.
const MaxProbeErrorChars = 300

// registered is what was learnt from a video file as it was registered:
// opened first, then judged, probed and (when small) hashed from the very
// descriptor that was opened.
type registered struct {
	size     *int64 // nil: the file is missing (the owner may register it anyway)
	facts    *probe.Facts
	probeErr string
	hash     string    // hex SHA-256; "" when the file is missing or big
	modTime  time.Time // of the file as opened, to tell a later change
	realPath string    // the opened file's real path, for the background hash
}

// register opens a video path an actor registers, judges it under r and
// reads its facts. A restricted actor may register only a regular video
// file under the media roots; anything else gets the same answer, whatever
// the path is, so registering cannot probe the file system. The owner may
// register a missing file (its facts are then unknown).
func (r *rule) register(field, path string, hashInline int64) (*registered, error) {
	var (
		f   *safefile.File
		why string
		err error
	)
	if r.restricted() {
		f, why, err = r.open(path)
		if err != nil || why != "" {
			return nil, domain.Invalidf(field, "%s must name an existing video file under one of the media roots the owner allows.", field)
		}
	} else {
		// The owner may name a link: it is resolved first, and what is
		// opened is what is read.
		p := path
		if real, err := filepath.EvalSymlinks(path); err == nil {
			p = real
		}
		if f, err = safefile.Open(p); err != nil {
			return &registered{}, nil
		}
	}
	defer f.Close()
	return readRegistered(f, hashInline)
}

// readRegistered probes and (when small) hashes the opened file f.
func readRegistered(f *safefile.File, hashInline int64) (*registered, error) {
	size := f.Info.Size()
	reg := &registered{size: &size, modTime: f.Info.ModTime(), realPath: f.Path}
	facts, err := probe.File(f.File)
	if err != nil {
		reg.probeErr = probeMessage(err)
	} else {
		reg.facts = facts
	}
	if size <= hashInline {
		if reg.hash, err = hashFile(f.File); err != nil {
			return nil, fmt.Errorf("hash video: %w", err)
		}
	}
	return reg, nil
}

// probeMessage turns a probe failure into a sentence for the person.
func probeMessage(err error) string {
	switch {
	case errors.Is(err, probe.ErrUnknownFormat):
		return "Not an MP4, MOV, WebM or Matroska file; its facts are as claimed."
	case errors.Is(err, probe.ErrNoVideo):
		return "The file has no video track Reelvault can read; its facts are as claimed."
	}
	msg := "The file could not be read as a video (" + err.Error() + "); its facts are as claimed."
	if len(msg) > MaxProbeErrorChars {
		msg = msg[:MaxProbeErrorChars]
	}
	return strings.ToValidUTF8(msg, "")
}

// hashFile returns the hex SHA-256 of f from its start.
func hashFile(f io.ReadSeeker) (string, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// apply fills row's size, facts, claim and mismatch from what the client
// claimed (in) and what the file said (reg), read at now.
func (reg *registered) apply(row *videoRow, in domain.VideoInput, now int64) {
	row.FileSize = reg.size
	row.Duration, row.Width, row.Height, row.FPS = in.Duration, in.Width, in.Height, in.FPS
	row.ClaimedDuration, row.ClaimedWidth, row.ClaimedHeight, row.ClaimedFPS = in.Duration, in.Width, in.Height, in.FPS
	row.ContentHash = reg.hash
	row.ProbeError = reg.probeErr
	row.Codec, row.Mismatch, row.ProbedAt = "", "", nil
	if reg.size == nil {
		return
	}
	row.ProbedAt = &now
	f := reg.facts
	if f == nil {
		return
	}
	row.Codec = f.Codec
	w, h := f.Width, f.Height
	row.Width, row.Height = &w, &h
	if f.Duration > 0 {
		d := f.Duration
		row.Duration = &d
	}
	if f.FPS > 0 {
		fps := f.FPS
		row.FPS = &fps
	}
	row.Mismatch = strings.Join(mismatch(in, f), ",")
}

// mismatch names the facts where the claim in and the file f disagree:
// sizes exactly; the duration by more than half a second and 5 %; the
// frame rate by more than 2 %. A fact the file does not give is not judged.
func mismatch(in domain.VideoInput, f *probe.Facts) []string {
	var out []string
	if in.Width != nil && *in.Width != f.Width {
		out = append(out, "width")
	}
	if in.Height != nil && *in.Height != f.Height {
		out = append(out, "height")
	}
	if in.Duration != nil && f.Duration > 0 {
		d := math.Abs(*in.Duration - f.Duration)
		if d > 0.5 && d > 0.05*f.Duration {
			out = append(out, "duration")
		}
	}
	if in.FPS != nil && f.FPS > 0 && math.Abs(*in.FPS-f.FPS) > 0.02*f.FPS {
		out = append(out, "fps")
	}
	return out
}

// facts returns the row's facts for the domain.
func (v *videoRow) facts() domain.VideoFacts {
	f := domain.VideoFacts{
		Codec:       v.Codec,
		ContentHash: v.ContentHash,
		ProbeError:  v.ProbeError,
	}
	if v.ClaimedWidth != nil || v.ClaimedHeight != nil || v.ClaimedDuration != nil || v.ClaimedFPS != nil {
		f.Claimed = &domain.VideoClaim{Width: v.ClaimedWidth, Height: v.ClaimedHeight, Duration: v.ClaimedDuration, FPS: v.ClaimedFPS}
	}
	if v.Mismatch != "" {
		f.Mismatch = strings.Split(v.Mismatch, ",")
	}
	if v.ProbedAt != nil {
		t := fromMicros(*v.ProbedAt)
		f.ProbedAt = &t
	}
	return f
}

// insertArgs are the arguments of insertVideoSQL for a video of task id.
func (v *videoRow) insertArgs(taskID int64) []any {
	return []any{taskID, v.SceneNumber, v.FilePath, v.FileSize, v.Duration, v.Width, v.Height, v.FPS, v.Status, v.CreatedAt,
		v.Codec, v.ContentHash, v.ClaimedWidth, v.ClaimedHeight, v.ClaimedDuration, v.ClaimedFPS, v.Mismatch, v.ProbeError, v.ProbedAt}
}

// scanDest are the scan destinations of videoColumns.
func (v *videoRow) scanDest() []any {
	return []any{&v.ID, &v.SceneNumber, &v.FilePath, &v.FileSize, &v.Duration, &v.Width, &v.Height, &v.FPS, &v.Status, &v.CreatedAt,
		&v.Codec, &v.ContentHash, &v.ClaimedWidth, &v.ClaimedHeight, &v.ClaimedDuration, &v.ClaimedFPS, &v.Mismatch, &v.ProbeError, &v.ProbedAt}
}

// hashInline is the largest file hashed while it is registered.
func (s *TaskService) hashInline() int64 {
	if s.HashInline > 0 {
		return s.HashInline
	}
	return DefaultHashInline
}

// hashQueue runs the background hashes of big files, one at a time (a
// second disk-bound reader would only slow the first), and lets tests and
// Close wait for them.
type hashQueue struct {
	mu      sync.Mutex
	wg      sync.WaitGroup
	pending []hashJob
	running bool
}

// hashJob is one big file to hash.
type hashJob struct {
	videoID int64
	taskID  string
	path    string // the stored path
	real    string // the real path opened at registration
	size    int64
	modTime time.Time
}

// hashLater queues the background hash of v's file when registering it
// left the hash to do (a big file). v nil: nothing was registered.
func (s *TaskService) hashLater(v *domain.Video, reg *registered) {
	if v == nil || reg == nil || reg.size == nil || reg.hash != "" {
		return
	}
	q := &s.hashes
	q.mu.Lock()
	defer q.mu.Unlock()
	q.wg.Add(1)
	q.pending = append(q.pending, hashJob{videoID: v.ID, taskID: v.TaskID, path: v.FilePath, real: reg.realPath, size: *reg.size, modTime: reg.modTime})
	if !q.running {
		q.running = true
		go s.runHashes()
	}
}

// WaitHashes waits until every queued background hash is done.
func (s *TaskService) WaitHashes() { s.hashes.wg.Wait() }

// runHashes works through the hash queue until it is empty.
func (s *TaskService) runHashes() {
	q := &s.hashes
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		job := q.pending[0]
		q.pending = q.pending[1:]
		q.mu.Unlock()
		if err := s.hashOne(job); err != nil {
			s.db.Logger.Warn("background video hash", "video_id", job.videoID, "err", err)
		}
		q.wg.Done()
	}
}

// hashOne hashes one big file, if it is still the file that was
// registered (same real path, size and modification time), and stores the
// hash if the video still names that file.
func (s *TaskService) hashOne(job hashJob) error {
	f, err := safefile.Open(job.real)
	if err != nil {
		return err
	}
	defer f.Close()
	if f.Info.Size() != job.size || !f.Info.ModTime().Equal(job.modTime) {
		return fmt.Errorf("%s changed after it was registered; not hashed", job.path)
	}
	sum, err := hashFile(f.File)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(domain.WithOwner(context.Background()), time.Minute)
	defer cancel()
	return s.db.write(ctx, func(tx *tx) error {
		res, err := tx.exec(`UPDATE videos SET content_hash = ? WHERE id = ? AND file_path = ? AND content_hash = ''`, sum, job.videoID, job.path)
		if err != nil {
			return fmt.Errorf("store video hash: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			tx.notify(domain.Notification{Type: domain.NotifyVideo, TaskID: job.taskID, Data: map[string]any{"video_id": job.videoID, "content_hash": sum}})
		}
		return nil
	})
}

// importVideoRow is the videos row of an imported video; an export older
// than the facts has none, and its video imports with them unknown.
func importVideoRow(v *ExportVideo) *videoRow {
	row := &videoRow{
		SceneNumber: v.SceneNumber, FilePath: v.FilePath, FileSize: v.FileSize,
		Duration: v.Duration, Width: v.Width, Height: v.Height, FPS: v.FPS,
		Status: v.Status, CreatedAt: micros(v.CreatedAt),
		Codec: v.Codec, ContentHash: v.ContentHash,
		ClaimedWidth: v.ClaimedWidth, ClaimedHeight: v.ClaimedHeight, ClaimedDuration: v.ClaimedDuration, ClaimedFPS: v.ClaimedFPS,
		Mismatch: v.Mismatch, ProbeError: v.ProbeError,
	}
	if v.ProbedAt != nil {
		us := micros(*v.ProbedAt)
		row.ProbedAt = &us
	}
	return row
}

// checkExportFacts checks the facts of an imported video: the field and
// why it is refused, or "".
func checkExportFacts(v *ExportVideo) (string, string) {
	switch {
	case len(v.Codec) > 64 || !utf8.ValidString(v.Codec):
		return "codec", "a codec name has at most 64 characters."
	case v.ContentHash != "" && !isHexSHA256(v.ContentHash):
		return "content_hash", "a content hash is 64 lowercase hex digits (SHA-256)."
	case len(v.ProbeError) > MaxProbeErrorChars || !utf8.ValidString(v.ProbeError):
		return "probe_error", fmt.Sprintf("a probe error has at most %d characters.", MaxProbeErrorChars)
	}
	if v.Mismatch != "" {
		for _, m := range strings.Split(v.Mismatch, ",") {
			if !mismatchFacts[m] {
				return "mismatch", "mismatch lists width, height, duration and fps only, separated by commas."
			}
		}
	}
	return "", ""
}

// mismatchFacts are the facts a mismatch may name.
var mismatchFacts = map[string]bool{"width": true, "height": true, "duration": true, "fps": true}

// isHexSHA256 reports whether s is a hex SHA-256 as the store writes it.
func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
