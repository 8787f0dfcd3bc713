package crashtest_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
	"golang.org/x/sys/unix"
)

// DefaultMediaRace is how long TestSecurity_MediaSwapRace attacks in make
// test; $REELVAULT_MEDIA_RACE (a Go duration) sets it.
const DefaultMediaRace = 10 * time.Second

// clip writes a video file in the vault's default media root
// (<data dir>/media) and returns its path.
func (v *vault) clip(name string, data []byte) string {
	v.t.Helper()
	dir := filepath.Join(v.dir, domain.MediaFolder)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		v.t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		v.t.Fatal(err)
	}
	return path
}

// exchange swaps two paths atomically (renameat2 RENAME_EXCHANGE), so the
// attacked path always exists, as a file or folder one moment and a link
// the next.
func exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}

// TestSecurity_MediaSwapRace is the attack of an API key holder that owns a
// folder under a media root: it registers a real clip, then swaps it as
// fast as it can for a symbolic link to <data dir>/owner-token (the file
// itself), and swaps the clip's parent folder for a link to the data
// directory (where a file with the clip's name holds the token) or to a
// folder whose clip is a link to the token, while hammering /media with its
// key. The server used to check the path and open it later, and streamed
// the owner token within a few hundred requests. Now it opens first and
// judges the opened file: the token never leaves, and the clip still plays
// whenever it is in place.
func TestSecurity_MediaSwapRace(t *testing.T) {
	dur := DefaultMediaRace
	if s := os.Getenv("REELVAULT_MEDIA_RACE"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			t.Fatalf("$REELVAULT_MEDIA_RACE=%q: want a duration such as 10s", s)
		}
		dur = d
	}
	v := newVault(t)
	requireCommand(t, v, "serve")
	key := v.addUser("mallory", 100)
	// A folder the attacker can write, which the owner made a media root.
	attack, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if v.hasCommand("media-root", "add") { // a binary from before the media roots lets keys register anything
		v.ok("media-root", "add", attack)
	}
	srv := v.serve()
	c := srv.client(key)
	token := srv.ownerTokenOnDisk()
	if len(token) < 16 {
		t.Fatalf("owner token %q", token)
	}
	tokenFile := filepath.Join(v.dir, "owner-token")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// Variant 1: the clip itself becomes a link to the token.
	fileClip := filepath.Join(attack, "a.mp4")
	must(os.WriteFile(fileClip, []byte("CLIP-A"), 0o644))
	must(os.Symlink(tokenFile, filepath.Join(attack, "a.mp4.alt")))
	// Variant 2: the clip's folder becomes a link to the data directory,
	// which holds a b.mp4 with the token (any data file with a video name),
	// or to a folder whose b.mp4 is a link to the token.
	must(os.Mkdir(filepath.Join(attack, "d"), 0o755))
	dirClip := filepath.Join(attack, "d", "b.mp4")
	must(os.WriteFile(dirClip, []byte("CLIP-B"), 0o644))
	must(os.WriteFile(filepath.Join(v.dir, "b.mp4"), []byte(token), 0o600))
	must(os.Symlink(v.dir, filepath.Join(attack, "d.data")))
	must(os.Mkdir(filepath.Join(attack, "evil"), 0o755))
	must(os.Symlink(tokenFile, filepath.Join(attack, "evil", "b.mp4")))
	must(os.Symlink(filepath.Join(attack, "evil"), filepath.Join(attack, "d.evil")))

	var task domain.Task
	if _, err := c.do("POST", "/api/v1/tasks", map[string]any{"prompt": "innocent clips", "total_scenes": 2}, &task); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, 2)
	for i, p := range []string{fileClip, dirClip} {
		var video domain.Video
		if _, err := c.do("POST", "/api/v1/tasks/"+task.TaskID+"/videos", map[string]any{"scene_number": i + 1, "file_path": p}, &video); err != nil {
			t.Fatalf("register %s: %v", p, err)
		}
		ids[i] = video.ID
	}
	if err := exchange(fileClip, filepath.Join(attack, "a.mp4.alt")); err != nil {
		t.Skipf("renameat2 RENAME_EXCHANGE is not supported here: %v", err)
	}
	must(exchange(fileClip, filepath.Join(attack, "a.mp4.alt")))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var swaps atomic.Int64
	swapper := func(path string, alts ...string) {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := exchange(path, alts[i%len(alts)]); err != nil {
				t.Errorf("swap %s: %v", path, err)
				return
			}
			swaps.Add(1)
		}
	}
	wg.Add(2)
	go swapper(fileClip, filepath.Join(attack, "a.mp4.alt"))
	// d ⇄ d.data, then d ⇄ d.evil: d is in turn the real folder, a link to
	// the data directory, the real folder again, a link to evil.
	go swapper(filepath.Join(attack, "d"), filepath.Join(attack, "d.data"), filepath.Join(attack, "d.data"), filepath.Join(attack, "d.evil"), filepath.Join(attack, "d.evil"))

	var (
		mu       sync.Mutex
		statuses = map[int]int{}
		served   = map[string]int{}
		leaked   []string
	)
	deadline := time.Now().Add(dur)
	var requests sync.WaitGroup
	for w := range 4 {
		requests.Add(1)
		go func() {
			defer requests.Done()
			rc := srv.client(key)
			for i := 0; time.Now().Before(deadline); i++ {
				id := ids[(w+i)%2]
				st, body, err := rc.raw("GET", fmt.Sprintf("/media/%d", id), nil, nil)
				mu.Lock()
				switch {
				case err != nil:
					leaked = append(leaked, fmt.Sprintf("video %d: %v", id, err))
				case bytes.Contains(body, []byte(token)):
					leaked = append(leaked, fmt.Sprintf("video %d: status %d streamed the owner token", id, st))
				case st == http.StatusOK:
					served[string(body)]++
				}
				statuses[st]++
				mu.Unlock()
			}
		}()
	}
	requests.Wait()
	close(stop)
	wg.Wait()

	if len(leaked) > 0 {
		perVideo := map[string]int{}
		for _, l := range leaked {
			perVideo[strings.SplitN(l, ":", 2)[0]]++
		}
		t.Fatalf("%d of %d requests went wrong (%v), first: %s", len(leaked), sum(statuses), perVideo, leaked[0])
	}
	t.Logf("%s: %d swaps, %d requests: statuses %v, served %v", dur, swaps.Load(), sum(statuses), statuses, served)
	for st := range statuses {
		if st != http.StatusOK && st != http.StatusNotFound {
			t.Fatalf("statuses %v: want only 200 (the clip in place) and 404 (anything else)", statuses)
		}
	}
	for body := range served {
		if body != "CLIP-A" && body != "CLIP-B" {
			t.Fatalf("served %.40q, which is not one of the clips", body)
		}
	}
	if statuses[http.StatusNotFound] == 0 || statuses[http.StatusOK] == 0 {
		t.Fatalf("statuses %v: the race was not exercised (want both clips served and links refused)", statuses)
	}
	if token != srv.ownerTokenOnDisk() {
		t.Fatal("the owner token changed during the attack")
	}
}

func sum(m map[int]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestSecurity_MediaFIFO registers a FIFO named like a video (the owner may,
// a key may not) and sends many requests for it at once: each is refused at
// once with a 4xx and the server keeps serving. The server used to block one
// thread per request on the FIFO's open, forever.
func TestSecurity_MediaFIFO(t *testing.T) {
	v := newVault(t)
	requireCommand(t, v, "serve")
	key := v.addUser("alice", 10)
	// The FIFO lies in a media root outside the data directory, where the
	// old checks let it through to the open.
	roots := t.TempDir()
	if v.hasCommand("media-root", "add") {
		v.ok("media-root", "add", roots)
	}
	fifo := filepath.Join(roots, "scene1.mp4")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Let go of readers blocked on the FIFO (the bug), so the test ends.
		for range 200 {
			f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0)
			if err != nil {
				return
			}
			f.Close()
		}
	})
	srv := v.serve()
	c := srv.client(key)
	owner := srv.owner()
	var task domain.Task
	if _, err := c.do("POST", "/api/v1/tasks", map[string]any{"prompt": "a pipe", "total_scenes": 2}, &task); err != nil {
		t.Fatal(err)
	}
	if st, err := c.do("POST", "/api/v1/tasks/"+task.TaskID+"/videos", map[string]any{"scene_number": 1, "file_path": fifo}, nil); st != http.StatusBadRequest {
		t.Errorf("a key registers a FIFO: status %d, %v; want 400", st, err)
	}
	var video domain.Video
	if _, err := owner.do("POST", "/api/v1/tasks/"+task.TaskID+"/videos", map[string]any{"scene_number": 2, "file_path": fifo}, &video); err != nil {
		t.Fatal(err)
	}
	const n = 300
	var wg sync.WaitGroup
	errs := make(chan string, n)
	fast := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who, want := c, http.StatusNotFound
			if i%2 == 0 {
				who, want = owner, http.StatusForbidden
			}
			req, _ := http.NewRequest("GET", srv.base+fmt.Sprintf("/media/%d", video.ID), nil)
			if who.key != "" {
				req.Header.Set("Authorization", "Bearer "+who.key)
			} else {
				for _, ck := range who.hc.Jar.Cookies(req.URL) {
					req.AddCookie(ck)
				}
			}
			resp, err := fast.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				errs <- fmt.Sprintf("status %d, want %d", resp.StatusCode, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if len(errs) > 0 {
		t.Fatalf("%d of %d requests for a FIFO failed, first: %s", len(errs), n, <-errs)
	}
	if st, _, err := c.raw("GET", "/healthz", nil, nil); err != nil || st != http.StatusOK {
		t.Fatalf("healthz after the FIFO requests: %d, %v", st, err)
	}
}

// TestSecurity_MediaRoots covers the rule end to end: a key cannot register
// a file outside the media roots (another user's clip in ~/Videos), and
// every refused path — /etc/shadow, a missing file, the owner token, a
// folder, a device, a FIFO — gets a byte-identical answer, so registering is
// no oracle of existence or size. A video the owner registers outside the
// roots plays for the owner and not for the key; a root added with the
// command line lets the key in at once, and removing it shuts it out again.
func TestSecurity_MediaRoots(t *testing.T) {
	v := newVault(t)
	requireCommand(t, v, "serve")
	key := v.addUser("alice", 10)
	private := filepath.Join(v.home, "Videos")
	if err := os.MkdirAll(private, 0o700); err != nil {
		t.Fatal(err)
	}
	holiday := filepath.Join(private, "holiday.mp4")
	if err := os.WriteFile(holiday, []byte("PRIVATE-HOLIDAY"), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(v.dir, domain.MediaFolder, "pipe.mp4")
	v.clip("placeholder.mp4", nil)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := v.serve()
	c := srv.client(key)
	var task domain.Task
	if _, err := c.do("POST", "/api/v1/tasks", map[string]any{"prompt": "probe", "total_scenes": 30}, &task); err != nil {
		t.Fatal(err)
	}
	register := func(scene int, path string) (int, []byte) {
		t.Helper()
		body := fmt.Sprintf(`{"scene_number":%d,"file_path":%q}`, scene, path)
		st, b, err := c.raw("POST", "/api/v1/tasks/"+task.TaskID+"/videos", []byte(body), http.Header{"Content-Type": {"application/json"}})
		if err != nil {
			t.Fatal(err)
		}
		return st, b
	}
	var first []byte
	for i, p := range []string{
		"/etc/shadow", "/etc/passwd", holiday, filepath.Join(private, "missing.mp4"),
		filepath.Join(v.dir, domain.MediaFolder, "missing.mp4"), filepath.Join(v.dir, "owner-token"),
		v.dbPath(), private, "/dev/zero", fifo,
	} {
		st, body := register(i+1, p)
		if st != http.StatusBadRequest {
			t.Fatalf("register %s: status %d %s; want 400", p, st, body)
		}
		if first == nil {
			first = body
		} else if !bytes.Equal(body, first) {
			t.Fatalf("register %s answers %s\nwhile another refused path answers %s: an oracle", p, body, first)
		}
	}

	// The owner registers the private clip on alice's task (the command
	// line acts as the owner): it plays for the owner only.
	srv.stop()
	var video domain.Video
	v.okJSON(&video, "video", "add", task.TaskID, "--scene", "20", "--file", holiday)
	srv = v.serve()
	c, owner := srv.client(key), srv.owner()
	path := fmt.Sprintf("/media/%d", video.ID)
	if st, body, _ := owner.raw("GET", path, nil, nil); st != http.StatusOK || string(body) != "PRIVATE-HOLIDAY" {
		t.Fatalf("owner streams the clip outside the roots: %d %q", st, body)
	}
	if st, body, _ := c.raw("GET", path, nil, nil); st != http.StatusNotFound || bytes.Contains(body, []byte("PRIVATE")) {
		t.Fatalf("key streams the clip outside the roots: %d %q; want 404", st, body)
	}

	// The command line adds the folder as a root while the server runs.
	requireCommand(t, v, "media-root", "add")
	v.ok("media-root", "add", private)
	if st, body, _ := c.raw("GET", path, nil, nil); st != http.StatusOK || string(body) != "PRIVATE-HOLIDAY" {
		t.Fatalf("key streams the clip once its folder is a root: %d %q", st, body)
	}
	if st, body := register(21, holiday); st != http.StatusCreated {
		t.Fatalf("key registers in an added root: %d %s", st, body)
	}
	var roots domain.MediaRoots
	if _, err := owner.do("DELETE", "/api/v1/media-roots?path="+url.QueryEscape(private), nil, &roots); err != nil || len(roots.Roots) != 0 {
		t.Fatalf("remove the root over the API: %+v, %v", roots, err)
	}
	if st, _, _ := c.raw("GET", path, nil, nil); st != http.StatusNotFound {
		t.Fatalf("key streams the clip after its root was removed: %d; want 404", st)
	}
	if out := v.ok("media-root", "list"); strings.Contains(out, private) {
		t.Fatalf("media-root list still shows %s:\n%s", private, out)
	}
}

// TestSecurity_BackupDownloadOpensFirst swaps a catalogued backup file for
// a link to a secret, and for a FIFO: the owner's download refuses both at
// once instead of streaming the secret or hanging.
func TestSecurity_BackupDownloadOpensFirst(t *testing.T) {
	v := newVault(t)
	requireCommand(t, v, "serve")
	var b domain.Backup
	v.okJSON(&b, "backup")
	if b.Path == "" {
		t.Fatalf("backup %+v has no path", b)
	}
	secret := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(secret, []byte("TOP-SECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := v.serve()
	owner := srv.owner()
	owner.hc.Timeout = 5 * time.Second
	t.Cleanup(func() {
		if f, err := os.OpenFile(b.Path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	for _, swap := range []func() error{
		func() error { return os.Symlink(secret, b.Path) },
		func() error { return syscall.Mkfifo(b.Path, 0o600) },
	} {
		if err := os.Remove(b.Path); err != nil {
			t.Fatal(err)
		}
		if err := swap(); err != nil {
			t.Fatal(err)
		}
		st, body, err := owner.raw("GET", "/api/v1/backups/"+url.PathEscape(b.Name)+"/download", nil, nil)
		if err != nil || st != http.StatusForbidden || bytes.Contains(body, []byte("TOP-SECRET")) {
			t.Fatalf("download a swapped backup: %d %.60q, %v; want 403 at once", st, body, err)
		}
	}
}
