package cli_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/app/server"
)

// linkInfo is what "link --json" prints.
type linkInfo struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
	Serving   bool      `json:"serving"`
}

func TestLinkCommand_NotServing(t *testing.T) {
	r := newRunner(t)
	res := r.ok("link")
	if !strings.Contains(res.Stdout, "http://"+server.DefaultAddr+"/?token=") || !strings.Contains(res.Stdout, "reelvault serve") {
		t.Fatalf("link printed:\n%s", res.Stdout)
	}
	if !strings.Contains(res.Stdout, " CST") {
		t.Fatalf("the expiry is not in local time with its zone:\n%s", res.Stdout)
	}
	l := decode[linkInfo](t, r.ok("--json", "link"))
	if l.Serving || time.Until(l.ExpiresAt) <= 0 || time.Until(l.ExpiresAt) > time.Hour+time.Minute {
		t.Fatalf("link --json = %+v", l)
	}
	out := decode[struct{ Ended int }](t, r.ok("--json", "signout"))
	if out.Ended != 0 {
		t.Fatalf("ended=%d with no browser signed in", out.Ended)
	}
	if got, want := r.ok("signout").Stdout, "No browser was signed in; unused sign-in links no longer work.\n"; got != want {
		t.Fatalf("signout: stdout=%q, want %q", got, want)
	}
	r.fails(cli.ExitUsage, "error: unexpected argument \"now\"\nusage: reelvault signout\n", "signout", "now")
}

// TestServe_SessionAcrossRestart signs a browser in, restarts serve, and
// finds the browser still signed in; then a link from "reelvault link"
// signs in once, a second use shows the page, and "reelvault signout" ends
// both sessions.
func TestServe_SessionAcrossRestart(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	p := startServe(t, bin, data)
	owner := p.signIn(t)
	p.call(t, 200, "GET", "/api/v1/users", owner, nil, nil)
	if code := p.stop(t); code != 0 {
		t.Fatalf("serve exit %d; stderr:\n%s", code, p.stderr)
	}

	p = startServe(t, bin, data)
	p.call(t, 200, "GET", "/api/v1/users", owner, nil, nil)

	out, err := exec.Command(bin, "--data-dir", data, "--json", "link").Output()
	if err != nil {
		t.Fatalf("link: %v", err)
	}
	var l linkInfo
	if err := json.Unmarshal(out, &l); err != nil {
		t.Fatalf("link --json: %v: %s", err, out)
	}
	if !l.Serving || !strings.HasPrefix(l.URL, p.out.URL+"/?token=") {
		t.Fatalf("link=%+v, want a link to %s", l, p.out.URL)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(l.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var second string
	for _, ck := range resp.Cookies() {
		if ck.Name == server.SessionCookie {
			second = "owner:" + ck.Value
		}
	}
	if resp.StatusCode != http.StatusSeeOther || second == "" {
		t.Fatalf("link: status=%d, want 303 with a session", resp.StatusCode)
	}
	p.call(t, 200, "GET", "/api/v1/users", second, nil, nil)

	req, _ := http.NewRequest("GET", l.URL, nil)
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(page), "reelvault link") || !strings.Contains(string(page), "此登录链接已失效") {
		t.Fatalf("used link: status=%d page:\n%s", resp.StatusCode, page)
	}

	out, err = exec.Command(bin, "--data-dir", data, "signout").Output()
	if err != nil || !strings.Contains(string(out), "Signed out 2 browsers") {
		t.Fatalf("signout: %v: %s", err, out)
	}
	p.call(t, 401, "GET", "/api/v1/users", owner, nil, nil)
	p.call(t, 401, "GET", "/api/v1/users", second, nil, nil)
}
