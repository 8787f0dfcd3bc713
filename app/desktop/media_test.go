package desktop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

func TestMediaHandler(t *testing.T) {
	f := newFixture(t)
	tasks := f.createTasks(t, 2)
	task, other := tasks[0], tasks[1]
	ctx := domain.WithOwner(context.Background())
	for _, tk := range tasks {
		if _, err := f.tasks.StartTask(ctx, tk.TaskID); err != nil {
			t.Fatal(err)
		}
	}
	content := bytes.Repeat([]byte("0123456789"), 1000)
	path := filepath.Join(t.TempDir(), "scene1.mp4")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := f.tasks.AddVideo(ctx, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: path})
	if err != nil {
		t.Fatal(err)
	}
	// Files a task's user could register that the window must not stream:
	// a file that is not a video, a video inside the data directory, and a
	// FIFO named like a video (it must not hold the request either).
	dataDir := t.TempDir()
	ruled := store.NewTaskService(f.db)
	ruled.Media = store.NewMediaService(f.db, dataDir)
	secret := filepath.Join(t.TempDir(), "id_ed25519")
	inside := filepath.Join(dataDir, "backup.mp4")
	fifo := filepath.Join(t.TempDir(), "pipe.mp4")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	var refused []*domain.Video
	for i, p := range []string{secret, inside, fifo} {
		if p != fifo {
			if err := os.WriteFile(p, []byte("PRIVATE"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		in, id := domain.VideoInput{SceneNumber: i + 1, FilePath: p}, other.TaskID
		if p == fifo {
			in.SceneNumber, id = 2, task.TaskID // a task has two scenes
		}
		rv, err := f.tasks.AddVideo(ctx, id, in)
		if err != nil {
			t.Fatal(err)
		}
		refused = append(refused, rv)
	}
	srv := httptest.NewServer(desktop.MediaHandler(ruled, nil))
	defer srv.Close()
	url := srv.URL + "/media/" + strconv.FormatInt(v.ID, 10)

	t.Run("Range", func(t *testing.T) {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Range", "bytes=100-109")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusPartialContent || string(body) != "0123456789" {
			t.Fatalf("status=%d body=%q, want 206 with bytes 100-109", resp.StatusCode, body)
		}
		if got, want := resp.Header.Get("Content-Range"), "bytes 100-109/10000"; got != want {
			t.Fatalf("Content-Range=%q, want %q", got, want)
		}
	})

	t.Run("Whole", func(t *testing.T) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, content) {
			t.Fatalf("status=%d len=%d, want 200 with the whole file", resp.StatusCode, len(body))
		}
	})

	for _, tt := range []struct {
		name, path string
		status     int
	}{
		{"ErrUnknownVideo", "/media/999999", http.StatusNotFound},
		{"ErrNotANumber", "/media/..%2f..%2fetc%2fpasswd", http.StatusBadRequest},
		{"ErrZero", "/media/0", http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status=%d, want %d", resp.StatusCode, tt.status)
			}
		})
	}

	t.Run("ErrRefused", func(t *testing.T) {
		for _, rv := range refused {
			resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(srv.URL + "/media/" + strconv.FormatInt(rv.ID, 10))
			if err != nil {
				t.Fatal(err)
			}
			var body struct{ Error domain.Error }
			err = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if err != nil {
				t.Fatalf("%s: decode error body: %v", rv.FilePath, err)
			}
			if resp.StatusCode != http.StatusForbidden || body.Error.Code != domain.EFORBIDDEN {
				t.Fatalf("%s: status=%d code=%q, want 403 %q", rv.FilePath, resp.StatusCode, body.Error.Code, domain.EFORBIDDEN)
			}
		}
	})

	t.Run("ErrFileGone", func(t *testing.T) {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status=%d, want 404 for a missing file", resp.StatusCode)
		}
	})
}
