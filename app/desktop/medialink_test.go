package desktop_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/desktop"
)

// The window's loopback media server streams with Range support behind its
// secret, on 127.0.0.1 only, and refuses requests without the secret,
// addressed to another host name (DNS rebinding) or that write.
func TestMediaServer(t *testing.T) {
	content := bytes.Repeat([]byte("0123456789"), 1000)
	var paths []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		http.ServeContent(w, r, "final.mp4", time.Time{}, bytes.NewReader(content))
	})
	m, err := desktop.StartMediaServer(h, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	base, err := url.Parse(m.BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	if got := base.Hostname(); got != "127.0.0.1" {
		t.Fatalf("media server on %q, want 127.0.0.1", got)
	}
	if len(strings.Trim(base.Path, "/")) < 32 {
		t.Fatalf("base URL %s carries no secret", base)
	}

	do := func(method, u, host, rng string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if host != "" {
			req.Host = host
		}
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}

	t.Run("Range", func(t *testing.T) {
		resp, body := do("GET", m.BaseURL()+"/media/7", "", "bytes=10-19")
		if resp.StatusCode != http.StatusPartialContent || string(body) != "0123456789" {
			t.Fatalf("status %d body %q, want 206 and the range", resp.StatusCode, body)
		}
		if got := paths[len(paths)-1]; got != "/media/7" {
			t.Fatalf("handler saw path %q, want /media/7 without the secret", got)
		}
	})

	calls := len(paths)
	for _, tc := range []struct {
		name, method, url, host string
		want                    int
	}{
		{"NoSecret", "GET", "http://" + base.Host + "/media/7", "", http.StatusNotFound},
		{"WrongSecret", "GET", "http://" + base.Host + "/" + strings.Repeat("0", 48) + "/media/7", "", http.StatusNotFound},
		{"NotMedia", "GET", m.BaseURL() + "/api/v1/tasks", "", http.StatusNotFound},
		{"OtherHost", "GET", m.BaseURL() + "/media/7", "evil.example:" + base.Port(), http.StatusMisdirectedRequest},
		{"Post", "POST", m.BaseURL() + "/media/7", "", http.StatusMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := do(tc.method, tc.url, tc.host, "")
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	if len(paths) != calls {
		t.Fatalf("refused requests reached the media handler: %v", paths[calls:])
	}
}
