package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reelvault/reelvault/domain"
)

var _ domain.VideoService = (*TaskService)(nil)

// checkScene validates the scene number of a video fix (0: the final video).
func checkScene(scene int) error {
	if scene < 0 || scene > domain.MaxScenes {
		return domain.Invalidf("scene_number", "The scene_number must be from 0 (the final video) to %d, not %d.", domain.MaxScenes, scene)
	}
	return nil
}

// findVideoRow returns the video of r's scene. Returns ENOTFOUND.
func findVideoRow(tx *tx, r *taskRow, scene int) (*videoRow, error) {
	var v videoRow
	err := tx.get(&v, `SELECT`+videoColumns+`
		FROM videos v
		WHERE v.task_id = ?
			AND v.scene_number = ?`, r.ID, scene)
	if isNoRows(err) {
		if scene == domain.FinalScene {
			return nil, domain.Errorf(domain.ENOTFOUND, "Task %s has no final video.", r.TaskID)
		}
		return nil, domain.Errorf(domain.ENOTFOUND, "Scene %d of task %s has no video.", scene, r.TaskID)
	} else if err != nil {
		return nil, fmt.Errorf("find video: %w", err)
	}
	return &v, nil
}

// statSeconds is a video's duration as the statistics count it.
func statSeconds(d *float64) float64 {
	if d == nil || *d <= 0 {
		return 0
	}
	return clampSeconds(*d)
}

// adjustVideoStats changes the video count and seconds of the day a video
// was registered (createdAt), as a rebuild from the videos table would.
func adjustVideoStats(tx *tx, createdAt int64, count int, seconds float64) error {
	if count == 0 && seconds == 0 {
		return nil
	}
	_, err := tx.exec(`
		UPDATE statistics SET
			total_videos = total_videos + ?,
			total_video_seconds = total_video_seconds + ?
		WHERE date = ?`, count, seconds, day(fromMicros(createdAt)))
	if err != nil {
		return fmt.Errorf("update statistics: %w", err)
	}
	return nil
}

// ReplaceVideo registers another file for a scene that has a video (scene
// 0: the final video), in any task state: the row keeps its ID, so links
// to it stay good, and takes the new file's facts.
func (s *TaskService) ReplaceVideo(ctx context.Context, taskID string, in domain.VideoInput) (*domain.Video, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkScene(in.SceneNumber); err != nil {
		return nil, err
	}
	if err := domain.CheckVideoNumbers(nil, in.Duration, in.Width, in.Height, in.FPS); err != nil {
		return nil, err
	}
	var reg *registered
	if in.FilePath, reg, err = s.registerVideo(ctx, a, "file_path", in.FilePath); err != nil {
		return nil, err
	}
	var v *domain.Video
	err = s.db.write(ctx, func(tx *tx) error {
		r, err := findTaskRow(tx, a, taskID)
		if err != nil {
			return err
		}
		old, err := findVideoRow(tx, r, in.SceneNumber)
		if err != nil {
			return err
		}
		row := *old
		row.FilePath = in.FilePath
		reg.apply(&row, in, micros(tx.now))
		_, err = tx.exec(`
			UPDATE videos SET
				file_path = ?,
				file_size = ?,
				duration = ?,
				width = ?,
				height = ?,
				fps = ?,
				codec = ?,
				content_hash = ?,
				claimed_width = ?,
				claimed_height = ?,
				claimed_duration = ?,
				claimed_fps = ?,
				mismatch = ?,
				probe_error = ?,
				probed_at = ?
			WHERE id = ?`,
			row.FilePath, row.FileSize, row.Duration, row.Width, row.Height, row.FPS, row.Codec, row.ContentHash,
			row.ClaimedWidth, row.ClaimedHeight, row.ClaimedDuration, row.ClaimedFPS, row.Mismatch, row.ProbeError, row.ProbedAt, row.ID)
		if err != nil {
			return fmt.Errorf("replace video: %w", err)
		}
		if err := adjustVideoStats(tx, row.CreatedAt, 0, statSeconds(row.Duration)-statSeconds(old.Duration)); err != nil {
			return err
		}
		if in.SceneNumber == domain.FinalScene {
			r.FinalVideoPath = in.FilePath
		}
		r.UpdatedAt = micros(tx.now)
		if err := updateTask(tx, r); err != nil {
			return err
		}
		v = row.domain(r.TaskID)
		v.Missing = row.FileSize == nil
		return addEvent(tx, r, domain.EventVideoReplaced, fmt.Sprintf("scene %d: %s → %s", in.SceneNumber, old.FilePath, in.FilePath))
	})
	if err != nil {
		return nil, err
	}
	s.hashLater(v, reg)
	s.posterLater(v.TaskID)
	return v, nil
}

// RemoveVideo unregisters a scene's video (scene 0: the final video) and
// takes it out of the day's statistics; the file is left on disk.
func (s *TaskService) RemoveVideo(ctx context.Context, taskID string, scene int) error {
	a, err := actorFrom(ctx)
	if err != nil {
		return err
	}
	if err := checkScene(scene); err != nil {
		return err
	}
	return s.db.write(ctx, func(tx *tx) error {
		r, err := findTaskRow(tx, a, taskID)
		if err != nil {
			return err
		}
		old, err := findVideoRow(tx, r, scene)
		if err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM videos WHERE id = ?`, old.ID); err != nil {
			return fmt.Errorf("remove video: %w", err)
		}
		if err := adjustVideoStats(tx, old.CreatedAt, -1, -statSeconds(old.Duration)); err != nil {
			return err
		}
		if scene == domain.FinalScene {
			r.FinalVideoPath = ""
		}
		r.UpdatedAt = micros(tx.now)
		if err := updateTask(tx, r); err != nil {
			return err
		}
		return addEvent(tx, r, domain.EventVideoRemoved, fmt.Sprintf("scene %d: %s", scene, old.FilePath))
	})
}

// videoFile is a registered video with its task and user, for the relink
// and storage reports.
type videoFile struct {
	ID          int64    `db:"id"`
	TaskID      string   `db:"task_uuid"`
	Username    string   `db:"username"`
	Prompt      string   `db:"prompt"`
	SceneNumber int      `db:"scene_number"`
	FilePath    string   `db:"file_path"`
	FileSize    *int64   `db:"file_size"`
	ContentHash string   `db:"content_hash"`
	Duration    *float64 `db:"duration"`
}

// videoFiles returns every registered video a may see, by task and scene.
func (s *TaskService) videoFiles(ctx context.Context, a domain.Actor) ([]videoFile, error) {
	cond, args := "", []any{}
	if !a.Owner {
		cond, args = " WHERE t.user_id = "+numParam, append(args, a.UserID)
	}
	var out []videoFile
	err := s.db.read(ctx, true, func(tx *tx) error {
		return tx.sel(&out, `
			SELECT
				v.id,
				t.task_id AS task_uuid,
				u.username,
				t.prompt,
				v.scene_number,
				v.file_path,
				v.file_size,
				v.content_hash,
				v.duration
			FROM videos v
			JOIN tasks t ON t.id = v.task_id
			JOIN users u ON u.id = t.user_id`+cond+`
			ORDER BY t.id, v.scene_number`, args...)
	})
	if err != nil {
		return nil, fmt.Errorf("list videos: %w", err)
	}
	return out, nil
}

// taskCollection is one untrashed task's membership of a collection.
type taskCollection struct {
	TaskID string `db:"task_uuid"`
	Name   string `db:"name"`
}

// taskCollections returns the collections of the untrashed tasks a may see.
func (s *TaskService) taskCollections(ctx context.Context, a domain.Actor) ([]taskCollection, error) {
	cond, args := "", []any{}
	if !a.Owner {
		cond, args = " AND t.user_id = "+numParam, append(args, a.UserID)
	}
	var out []taskCollection
	err := s.db.read(ctx, true, func(tx *tx) error {
		return tx.sel(&out, `
			SELECT
				t.task_id AS task_uuid,
				c.name
			FROM collection_tasks ct
			JOIN collections c ON c.id = ct.collection_id
			JOIN tasks t ON t.id = ct.task_id
			WHERE t.trashed_at IS NULL`+cond, args...)
	})
	if err != nil {
		return nil, fmt.Errorf("list task collections: %w", err)
	}
	return out, nil
}

// Relink finds the files of missing videos in a folder, by size and then
// by content hash (or, for a video registered without a hash, by size and
// file name when exactly one file matches), and re-registers them at their
// new paths, all in one transaction. A dry run only reports.
func (s *TaskService) Relink(ctx context.Context, in domain.RelinkRequest) (*domain.RelinkReport, error) {
	a, err := ownerFrom(ctx)
	if err != nil {
		return nil, err
	}
	if err := validText("folder", "folder path", in.Folder, MaxPathChars); err != nil {
		return nil, err
	}
	if !filepath.IsAbs(in.Folder) {
		return nil, domain.Invalidf("folder", "The folder path must be absolute, not %q.", in.Folder)
	}
	folder := filepath.Clean(in.Folder)
	if fi, err := os.Stat(folder); err != nil || !fi.IsDir() {
		return nil, domain.Invalidf("folder", "%s is not an existing folder.", folder)
	}
	rule, err := s.Media.rule(ctx, a)
	if err != nil {
		return nil, err
	}
	all, err := s.videoFiles(ctx, a)
	if err != nil {
		return nil, err
	}
	rep := &domain.RelinkReport{Folder: folder, DryRun: in.DryRun, Relinked: []domain.RelinkedVideo{}, Unmatched: []domain.RelinkedVideo{}}
	var missing []videoFile
	sizes := map[int64]bool{}
	for _, v := range all {
		if _, err := os.Stat(v.FilePath); errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, v)
			if v.FileSize != nil {
				sizes[*v.FileSize] = true
			}
		}
	}
	rep.Missing = len(missing)
	if len(missing) == 0 {
		return rep, nil
	}
	bySize := map[int64][]string{}
	err = filepath.WalkDir(folder, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable subfolder is skipped, not fatal
		}
		if !d.Type().IsRegular() || !videoExts[strings.ToLower(filepath.Ext(p))] {
			return nil
		}
		if rep.FilesScanned++; rep.FilesScanned >= domain.MaxRelinkFiles {
			return filepath.SkipAll
		}
		if fi, err := d.Info(); err == nil && sizes[fi.Size()] {
			bySize[fi.Size()] = append(bySize[fi.Size()], p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("relink: %w", err)
	}
	hashes := map[string]string{} // path → hex SHA-256, "" when unreadable
	hashOf := func(p string) string {
		if h, ok := hashes[p]; ok {
			return h
		}
		h := ""
		if f, why, err := rule.open(p); err == nil && why == "" {
			h, _ = hashFile(f.File)
			f.Close()
		}
		hashes[p] = h
		return h
	}
	for _, v := range missing {
		item := domain.RelinkedVideo{VideoID: v.ID, TaskID: v.TaskID, SceneNumber: v.SceneNumber, From: v.FilePath}
		var cands []string
		if v.FileSize != nil {
			cands = bySize[*v.FileSize]
		}
		switch {
		case v.FileSize == nil:
			item.Reason = "its size was never known, so it cannot be recognised"
		case len(cands) == 0:
			item.Reason = "no video file in the folder has its size"
		case v.ContentHash != "":
			for _, c := range cands {
				if hashOf(c) == v.ContentHash {
					item.To, item.By = c, "hash"
					break
				}
			}
			if item.To == "" {
				item.Reason = "files of its size were found, but none has its content"
			}
		default:
			var named []string
			for _, c := range cands {
				if filepath.Base(c) == filepath.Base(v.FilePath) {
					named = append(named, c)
				}
			}
			if len(named) == 1 && hashOf(named[0]) != "" {
				item.To, item.By = named[0], "size_name"
			} else if len(named) > 1 {
				item.Reason = "several files have its size and name; it has no hash to tell them apart"
			} else {
				item.Reason = "files of its size were found, but none has its name, and it has no hash to compare"
			}
		}
		if item.To != "" {
			rep.Relinked = append(rep.Relinked, item)
		} else {
			rep.Unmatched = append(rep.Unmatched, item)
		}
	}
	if in.DryRun || len(rep.Relinked) == 0 {
		return rep, nil
	}
	err = s.db.write(ctx, func(tx *tx) error {
		byTask := map[string][]domain.RelinkedVideo{}
		var order []string
		for _, item := range rep.Relinked {
			if _, ok := byTask[item.TaskID]; !ok {
				order = append(order, item.TaskID)
			}
			byTask[item.TaskID] = append(byTask[item.TaskID], item)
		}
		for _, id := range order {
			r, err := findTaskRow(tx, a, id)
			if err != nil {
				return err
			}
			var moved []string
			for _, item := range byTask[id] {
				res, err := tx.exec(`
					UPDATE videos SET
						file_path = ?,
						content_hash = ?
					WHERE id = ? AND file_path = ?`, item.To, hashes[item.To], item.VideoID, item.From)
				if err != nil {
					return fmt.Errorf("relink video %d: %w", item.VideoID, err)
				}
				if n, _ := res.RowsAffected(); n == 0 {
					continue // changed meanwhile: left as it now is
				}
				if item.SceneNumber == domain.FinalScene {
					r.FinalVideoPath = item.To
				}
				moved = append(moved, fmt.Sprintf("scene %d: %s → %s", item.SceneNumber, item.From, item.To))
			}
			if len(moved) == 0 {
				continue
			}
			r.UpdatedAt = micros(tx.now)
			if err := updateTask(tx, r); err != nil {
				return err
			}
			if err := addEvent(tx, r, domain.EventVideoRelinked, strings.Join(moved, "; ")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// Storage reports the disk use of the videos a may see, per user, per
// collection and per task (the largest MaxStorageTasks), and lists the
// missing files. Sizes are read from the files now; a missing file counts
// with no bytes.
func (s *TaskService) Storage(ctx context.Context) (*domain.StorageReport, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	rule, err := s.Media.rule(ctx, a)
	if err != nil {
		return nil, err
	}
	all, err := s.videoFiles(ctx, a)
	if err != nil {
		return nil, err
	}
	inCollections, err := s.taskCollections(ctx, a)
	if err != nil {
		return nil, err
	}
	rep := &domain.StorageReport{Users: []domain.StorageUsage{}, Tasks: []domain.StorageUsage{},
		Collections: []domain.StorageUsage{}, Missing: []domain.MissingVideo{}}
	users := map[string]*domain.StorageUsage{}
	tasks := map[string]*domain.StorageUsage{}
	for _, f := range all {
		v := &domain.Video{ID: f.ID, FilePath: f.FilePath}
		rule.stat(v)
		u := users[f.Username]
		if u == nil {
			u = &domain.StorageUsage{Key: f.Username}
			users[f.Username] = u
		}
		t := tasks[f.TaskID]
		if t == nil {
			t = &domain.StorageUsage{Key: f.TaskID, Label: shorten(f.Prompt, 80), Username: f.Username}
			tasks[f.TaskID] = t
		}
		rep.Videos++
		u.Videos++
		t.Videos++
		if v.Missing {
			rep.MissingCount++
			u.Missing++
			t.Missing++
			if len(rep.Missing) < domain.MaxStorageMissed {
				rep.Missing = append(rep.Missing, domain.MissingVideo{VideoID: f.ID, TaskID: f.TaskID, Username: f.Username,
					SceneNumber: f.SceneNumber, FilePath: f.FilePath, FileSize: f.FileSize})
			}
			continue
		}
		rep.TotalBytes += *v.FileSize
		u.Bytes += *v.FileSize
		t.Bytes += *v.FileSize
	}
	for _, u := range users {
		rep.Users = append(rep.Users, *u)
	}
	for _, t := range tasks {
		rep.Tasks = append(rep.Tasks, *t)
	}
	// A task is in a collection at most once, so adding each member task's
	// usage counts each of its videos once per collection.
	collections := map[string]*domain.StorageUsage{}
	for _, m := range inCollections {
		t := tasks[m.TaskID]
		if t == nil {
			continue // a task with no videos
		}
		c := collections[m.Name]
		if c == nil {
			c = &domain.StorageUsage{Key: m.Name}
			collections[m.Name] = c
		}
		c.Bytes += t.Bytes
		c.Videos += t.Videos
		c.Missing += t.Missing
	}
	for _, c := range collections {
		rep.Collections = append(rep.Collections, *c)
	}
	bySize := func(a, b domain.StorageUsage) int {
		if a.Bytes != b.Bytes {
			if a.Bytes > b.Bytes {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Key, b.Key)
	}
	slices.SortFunc(rep.Users, bySize)
	slices.SortFunc(rep.Tasks, bySize)
	slices.SortFunc(rep.Collections, bySize)
	if len(rep.Tasks) > domain.MaxStorageTasks {
		rep.Tasks = rep.Tasks[:domain.MaxStorageTasks]
	}
	return rep, nil
}

// shorten returns s cut to at most n characters, with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// OpenPosterVideo opens the video a task's poster is made from: its final
// video, else its highest scene's, under the media rule judged on the
// opened file.
func (s *TaskService) OpenPosterVideo(ctx context.Context, taskID string) (*domain.Video, *domain.PosterSource, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, nil, err
	}
	var v *domain.Video
	err = s.db.read(ctx, true, func(tx *tx) error {
		r, err := findTaskRow(tx, a, taskID)
		if err != nil {
			return err
		}
		var row videoRow
		err = tx.get(&row, `SELECT`+videoColumns+`
			FROM videos v
			WHERE v.task_id = ?
			ORDER BY CASE WHEN v.scene_number = 0 THEN 0 ELSE 1 END, v.scene_number DESC
			LIMIT 1`, r.ID)
		if isNoRows(err) {
			return domain.Errorf(domain.ENOTFOUND, "Task %s has no video yet.", r.TaskID)
		} else if err != nil {
			return fmt.Errorf("find poster video: %w", err)
		}
		v = row.domain(r.TaskID)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	rule, err := s.Media.rule(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	f, err := rule.openVideo(v)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	// The key names the file as opened, not the video: a scene's clip that
	// is also the final video has one poster. It changes whenever the file
	// does: replaced, re-linked or rewritten in place.
	sum := sha256.Sum256([]byte(f.Name() + "\x00" + strconv.FormatInt(fi.Size(), 10) + "\x00" + fi.ModTime().UTC().Format(time.RFC3339Nano)))
	return v, &domain.PosterSource{File: f, Key: hex.EncodeToString(sum[:12])}, nil
}
