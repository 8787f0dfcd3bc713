package desktop_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/domain"
)

func TestMediaHandler(t *testing.T) {
	f := newFixture(t)
	task := f.createTasks(t, 1)[0]
	ctx := domain.WithOwner(context.Background())
	if _, err := f.tasks.StartTask(ctx, task.TaskID); err != nil {
		t.Fatal(err)
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
	srv := httptest.NewServer(desktop.MediaHandler(f.tasks))
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
