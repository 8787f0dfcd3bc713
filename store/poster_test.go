package store_test

import (
	"image/jpeg"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// noteLog records notifications.
type noteLog struct {
	mu sync.Mutex
	n  []domain.Notification
}

func (l *noteLog) Notify(n domain.Notification) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n = append(l.n, n)
}

func (l *noteLog) count(typ string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := 0
	for _, n := range l.n {
		if n.Type == typ {
			c++
		}
	}
	return c
}

// waitPoster asks for a task's poster until it is ready.
func waitPoster(t *testing.T, e *env, taskID string) *domain.Poster {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		p, err := e.Tasks.Poster(e.Owner, taskID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Ready {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatal("the poster was not made in 20 s")
		}
		e.Tasks.Posters.Wait()
	}
}

func TestTaskService_Poster(t *testing.T) {
	mp4, webm, _ := testClips(t)
	e := newEnv(t)
	notes := &noteLog{}
	e.Tasks.Posters = store.NewPosterCache(filepath.Join(t.TempDir(), "posters"))
	e.Tasks.Posters.Notifier = notes
	task := startTask(t, e, 1)
	if _, err := e.Tasks.CompleteTask(e.Owner, task.TaskID, mp4); err != nil {
		t.Fatal(err)
	}
	// Registering the final video started its poster; asking waits for nothing.
	start := time.Now()
	if _, err := e.Tasks.Poster(e.Owner, task.TaskID); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("asking for a poster took %v; it must never wait for ffmpeg", d)
	}
	p := waitPoster(t, e, task.TaskID)
	f, err := os.Open(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("the poster is not a JPEG: %v", err)
	}
	if got, want := img.Bounds().Dx(), store.DefaultPosterWidth; got != want {
		t.Fatalf("poster width=%d, want %d", got, want)
	}
	if notes.count(domain.NotifyPoster) != 1 {
		t.Fatalf("poster notifications=%d, want 1", notes.count(domain.NotifyPoster))
	}
	// Made once: asking again makes nothing new.
	waitPoster(t, e, task.TaskID)
	if notes.count(domain.NotifyPoster) != 1 {
		t.Fatal("the poster was made twice")
	}

	t.Run("Evicts", func(t *testing.T) {
		_, size := e.Tasks.Posters.Size()
		e.Tasks.Posters.MaxBytes = size + size/2 // room for one poster and a half
		first := p.Path
		other := e.MustCreateTask(t, e.Owner, domain.TaskCreate{Username: "studio", Prompt: "Another", TotalScenes: 1})
		e.Tasks.StartTask(e.Owner, other.TaskID)
		if _, err := e.Tasks.AddVideo(e.Owner, other.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: webm}); err != nil {
			t.Fatal(err)
		}
		waitPoster(t, e, other.TaskID)
		if _, err := os.Stat(first); !os.IsNotExist(err) {
			t.Fatalf("the least recently used poster is still there (%v)", err)
		}
		if n, total := e.Tasks.Posters.Size(); n != 1 || total > e.Tasks.Posters.MaxBytes {
			t.Fatalf("cache holds %d posters, %d bytes; cap %d", n, total, e.Tasks.Posters.MaxBytes)
		}
	})
	t.Run("Reloads", func(t *testing.T) {
		c := store.NewPosterCache(e.Tasks.Posters.Dir)
		if n, _ := c.Size(); n != 1 {
			t.Fatalf("a new cache on the folder finds %d posters, want 1", n)
		}
	})
	t.Run("NoFFmpeg", func(t *testing.T) {
		e := newEnv(t)
		e.Tasks.Posters = store.NewPosterCache(t.TempDir())
		e.Tasks.Posters.FFmpeg = "/nonexistent/ffmpeg"
		task := startTask(t, e, 1)
		e.Tasks.AddVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: mp4})
		_, err := e.Tasks.Poster(e.Owner, task.TaskID)
		AssertCode(t, err, domain.ENOTFOUND, "")
		if e.Tasks.Posters.Available() {
			t.Fatal("Available with no ffmpeg")
		}
	})
	t.Run("NoVideo", func(t *testing.T) {
		other := e.MustCreateTask(t, e.Owner, domain.TaskCreate{Username: "studio", Prompt: "Empty"})
		_, err := e.Tasks.Poster(e.Owner, other.TaskID)
		AssertCode(t, err, domain.ENOTFOUND, "")
	})
}
