package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// Poster cache defaults.
const (
	DefaultPosterMaxBytes = 256 << 20 // 256 MiB, about 10,000 posters
	DefaultPosterWidth    = 480       // pixels; a grid tile at 2x
	DefaultPosterWorkers  = 2
	posterTimeout         = 20 * time.Second
)

// PosterCache makes poster frames with ffmpeg and keeps them as JPEG files
// in a folder of the data directory, under a size cap: when a new poster
// takes the folder past MaxBytes, the posters used least recently go
// (their last use is their file's modification time, so the order
// survives a restart). Each poster is made once, in the background, by at
// most Workers ffmpeg processes at a time: asking for a poster never waits
// for ffmpeg, so the history list is never held up by it.
//
// ffmpeg reads the video through the descriptor the store opened and
// judged (as /dev/fd/3): it never opens a path itself.
type PosterCache struct {
	Dir      string
	MaxBytes int64
	Width    int
	Workers  int
	// FFmpeg is the ffmpeg program; "" looks "ffmpeg" up on the PATH.
	// When there is none, posters are not made (the UI takes a frame
	// from the video itself).
	FFmpeg   string
	Notifier domain.Notifier
	Logger   *slog.Logger

	once     sync.Once
	ffmpeg   string
	mu       sync.Mutex
	entries  map[string]*posterEntry // by key
	total    int64
	inflight map[string]bool
	sem      chan struct{}
	wg       sync.WaitGroup
}

// posterEntry is one cached poster.
type posterEntry struct {
	size    int64
	lastUse time.Time
	touched time.Time // when lastUse was last written to the file
}

// NewPosterCache returns a cache in dir with the default tunables.
func NewPosterCache(dir string) *PosterCache {
	return &PosterCache{Dir: dir, MaxBytes: DefaultPosterMaxBytes, Width: DefaultPosterWidth, Workers: DefaultPosterWorkers}
}

// init finds ffmpeg and loads the folder's posters, once.
func (c *PosterCache) init() {
	c.once.Do(func() {
		if c.Logger == nil {
			c.Logger = slog.New(slog.DiscardHandler)
		}
		if c.Workers <= 0 {
			c.Workers = DefaultPosterWorkers
		}
		if c.Width <= 0 {
			c.Width = DefaultPosterWidth
		}
		if c.MaxBytes <= 0 {
			c.MaxBytes = DefaultPosterMaxBytes
		}
		c.sem = make(chan struct{}, c.Workers)
		c.entries = map[string]*posterEntry{}
		c.inflight = map[string]bool{}
		name := c.FFmpeg
		if name == "" {
			name = "ffmpeg"
		}
		if p, err := exec.LookPath(name); err == nil {
			c.ffmpeg = p
		}
		des, _ := os.ReadDir(c.Dir)
		for _, de := range des {
			key, ok := strings.CutSuffix(de.Name(), ".jpg")
			if !ok || !de.Type().IsRegular() {
				if strings.HasPrefix(de.Name(), ".tmp-") {
					os.Remove(filepath.Join(c.Dir, de.Name())) // left by a crash
				}
				continue
			}
			if fi, err := de.Info(); err == nil {
				c.entries[key] = &posterEntry{size: fi.Size(), lastUse: fi.ModTime(), touched: fi.ModTime()}
				c.total += fi.Size()
			}
		}
	})
}

// Available reports whether posters can be made (ffmpeg was found).
func (c *PosterCache) Available() bool {
	c.init()
	return c.ffmpeg != ""
}

// Wait waits for the posters being made.
func (c *PosterCache) Wait() { c.wg.Wait() }

// Size returns the cached posters' count and total bytes.
func (c *PosterCache) Size() (int, int64) {
	c.init()
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries), c.total
}

// path is the file of the poster key.
func (c *PosterCache) path(key string) string { return filepath.Join(c.Dir, key+".jpg") }

// get returns the poster of src, or starts making it. It takes ownership
// of src.File. at is the second of the video to show.
func (c *PosterCache) get(taskID string, v *domain.Video, src *domain.PosterSource, at float64) (*domain.Poster, error) {
	c.init()
	p := &domain.Poster{VideoID: v.ID, Key: src.Key, Path: c.path(src.Key)}
	c.mu.Lock()
	if e := c.entries[src.Key]; e != nil {
		now := time.Now()
		e.lastUse = now
		touch := now.Sub(e.touched) > time.Minute
		if touch {
			e.touched = now
		}
		c.mu.Unlock()
		src.File.Close()
		if touch {
			os.Chtimes(p.Path, now, now)
		}
		p.Ready = true
		return p, nil
	}
	if c.ffmpeg == "" {
		c.mu.Unlock()
		src.File.Close()
		return nil, domain.Errorf(domain.ENOTFOUND, "Posters are not made here: ffmpeg is not installed.")
	}
	if c.inflight[src.Key] {
		c.mu.Unlock()
		src.File.Close()
		return p, nil
	}
	c.inflight[src.Key] = true
	c.wg.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.wg.Done()
		c.sem <- struct{}{}
		err := c.make(src, at)
		<-c.sem
		src.File.Close()
		c.mu.Lock()
		delete(c.inflight, src.Key)
		c.mu.Unlock()
		if err != nil {
			c.Logger.Warn("make poster", "task_id", taskID, "video_id", v.ID, "err", err)
			return
		}
		if c.Notifier != nil {
			c.Notifier.Notify(domain.Notification{Type: domain.NotifyPoster, TaskID: taskID, Data: map[string]any{"video_id": v.ID}})
		}
	}()
	return p, nil
}

// make runs ffmpeg on src and adds the poster to the cache.
func (c *PosterCache) make(src *domain.PosterSource, at float64) error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(c.Dir, ".tmp-"+src.Key+".jpg")
	defer os.Remove(tmp)
	run := func(at float64) error {
		ctx, cancel := context.WithTimeout(context.Background(), posterTimeout)
		defer cancel()
		// Key frames only, and the key frame at or before the wanted time:
		// one frame is decoded, whatever the clip's resolution, on one
		// thread (a thread pool costs more than it saves for one frame).
		args := []string{"-nostdin", "-v", "error", "-y", "-threads", "1", "-skip_frame", "nokey"}
		if at > 0 {
			args = append(args, "-ss", fmt.Sprintf("%.3f", at), "-noaccurate_seek")
		}
		args = append(args, "-i", "/dev/fd/3", "-an", "-sn", "-dn", "-frames:v", "1", "-threads", "1",
			"-vf", fmt.Sprintf("scale=%d:-2:flags=fast_bilinear", c.Width), "-q:v", "4", "-f", "image2", "-c:v", "mjpeg", tmp)
		cmd := exec.CommandContext(ctx, c.ffmpeg, args...)
		cmd.ExtraFiles = []*os.File{src.File}
		if _, err := src.File.Seek(0, 0); err != nil {
			return err
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("ffmpeg: %v: %s", err, strings.TrimSpace(string(out)))
		}
		if fi, err := os.Stat(tmp); err != nil || fi.Size() == 0 {
			return errors.New("ffmpeg wrote no frame")
		}
		return nil
	}
	err := run(at)
	if err != nil && at > 0 {
		err = run(0) // a seek past a short clip's end: take its first frame
	}
	if err != nil {
		return err
	}
	fi, err := os.Stat(tmp)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, c.path(src.Key)); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if old := c.entries[src.Key]; old != nil {
		c.total -= old.size
	}
	c.entries[src.Key] = &posterEntry{size: fi.Size(), lastUse: now, touched: now}
	c.total += fi.Size()
	c.evictLocked(src.Key)
	return nil
}

// evictLocked removes the least recently used posters, never keep, until
// the cache fits MaxBytes.
func (c *PosterCache) evictLocked(keep string) {
	if c.total <= c.MaxBytes {
		return
	}
	keys := make([]string, 0, len(c.entries))
	for k := range c.entries {
		if k != keep {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int { return c.entries[a].lastUse.Compare(c.entries[b].lastUse) })
	for _, k := range keys {
		if c.total <= c.MaxBytes {
			break
		}
		if err := os.Remove(c.path(k)); err != nil && !errors.Is(err, os.ErrNotExist) {
			c.Logger.Warn("evict poster", "key", k, "err", err)
			continue
		}
		c.total -= c.entries[k].size
		delete(c.entries, k)
	}
}

var _ domain.PosterService = (*TaskService)(nil)

// Poster returns a task's poster, starting to make it when there is none
// yet (see PosterCache). Without a cache (s.Posters nil) or ffmpeg it
// answers ENOTFOUND, and the UI takes a frame from the video itself.
func (s *TaskService) Poster(ctx context.Context, taskID string) (*domain.Poster, error) {
	v, src, err := s.OpenPosterVideo(ctx, taskID)
	if err != nil {
		return nil, err
	}
	if s.Posters == nil {
		src.File.Close()
		return nil, domain.Errorf(domain.ENOTFOUND, "Posters are not made here.")
	}
	// A frame a second in (a fade from black is common), or a quarter into
	// a shorter clip.
	at := 1.0
	if v.Duration != nil && *v.Duration < 4 {
		at = *v.Duration / 4
	}
	return s.Posters.get(taskID, v, src, at)
}

// posterLater starts making taskID's poster right after one of its videos
// was registered, so it is ready by the time a list shows the task.
func (s *TaskService) posterLater(taskID string) {
	if s.Posters == nil || !s.Posters.Available() {
		return
	}
	s.Posters.wg.Add(1)
	go func() {
		defer s.Posters.wg.Done()
		if _, err := s.Poster(domain.WithOwner(context.Background()), taskID); err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			s.db.Logger.Warn("start poster", "task_id", taskID, "err", err)
		}
	}()
}
