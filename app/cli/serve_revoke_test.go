package cli_test

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// TestServe_RevokedKeyStream proves, across processes, that an event stream
// open on a running server ends soon after another process (the CLI)
// deactivates the key's user: the server notices revocations it did not
// make itself.
func TestServe_RevokedKeyStream(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	p := startServe(t, bin, data)
	owner := p.signIn(t)
	var created struct {
		User   domain.User `json:"user"`
		APIKey string      `json:"api_key"`
	}
	p.call(t, 201, "POST", "/api/v1/users", owner, map[string]any{"username": "alice", "quota": 10}, &created)

	req, _ := http.NewRequest("GET", p.out.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+created.APIKey)
	stream, err := http.DefaultClient.Do(req)
	if err != nil || stream.StatusCode != http.StatusOK {
		t.Fatalf("events: %v %v", err, stream)
	}
	defer stream.Body.Close()
	ended := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, stream.Body)
		ended <- err
	}()

	cmd := exec.Command(bin, "--data-dir", data, "user", "deactivate", "alice")
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user deactivate: %v\n%s", err, out)
	}
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the event stream of a deactivated user is still open 10s after the CLI deactivated it")
	}
	// And the key no longer opens a stream.
	p.call(t, http.StatusForbidden, "GET", "/api/v1/events", created.APIKey, nil, nil)
}
