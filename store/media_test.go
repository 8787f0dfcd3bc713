package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// mediaEnv is an env whose TaskService applies the media rule on a data
// directory, with a clip in its default root and one outside every root.
type mediaEnv struct {
	*env
	Media   *store.MediaService
	DataDir string
	Inside  string // a clip in <data dir>/media
	Outside string // a readable clip outside every root
}

func newMediaEnv(t *testing.T) *mediaEnv {
	t.Helper()
	e := newEnv(t)
	data := realTempDir(t)
	m := &mediaEnv{env: e, DataDir: data, Media: store.NewMediaService(e.DB, data)}
	e.Tasks.Media = m.Media
	if err := os.Mkdir(filepath.Join(data, domain.MediaFolder), 0o700); err != nil {
		t.Fatal(err)
	}
	m.Inside = writeFile(t, filepath.Join(data, domain.MediaFolder, "scene.mp4"), "in the root")
	m.Outside = writeFile(t, filepath.Join(realTempDir(t), "private.mp4"), "another user's clip")
	return m
}

func realTempDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeFile(t *testing.T, path, body string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMediaService_Roots(t *testing.T) {
	m := newMediaEnv(t)
	_, _, uctx := m.MustCreateUser(t, "alice", 10)
	def := filepath.Join(m.DataDir, domain.MediaFolder)
	extra := realTempDir(t)

	got, err := m.Media.MediaRoots(m.Owner)
	if err != nil {
		t.Fatal(err)
	}
	if got.Default != def || len(got.Roots) != 0 {
		t.Fatalf("roots=%+v, want only the default %s", got, def)
	}
	if got, err = m.Media.AddMediaRoot(m.Owner, extra+"/"); err != nil || len(got.Roots) != 1 || got.Roots[0] != extra {
		t.Fatalf("add: %+v, %v; want [%s]", got, err, extra)
	}
	for _, again := range []string{extra, def} {
		if got, err = m.Media.AddMediaRoot(m.Owner, again); err != nil || len(got.Roots) != 1 {
			t.Fatalf("add %s again: %+v, %v; want no change", again, got, err)
		}
	}

	t.Run("ErrUser", func(t *testing.T) {
		_, err := m.Media.MediaRoots(uctx)
		AssertCode(t, err, domain.EFORBIDDEN, "")
		_, err = m.Media.AddMediaRoot(uctx, extra)
		AssertCode(t, err, domain.EFORBIDDEN, "")
		_, err = m.Media.RemoveMediaRoot(uctx, extra)
		AssertCode(t, err, domain.EFORBIDDEN, "")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, p := range []string{"", "relative/dir", m.Inside, filepath.Join(extra, "missing"), "/a\x00b"} {
			_, err := m.Media.AddMediaRoot(m.Owner, p)
			AssertCode(t, err, domain.EINVALID, "path")
		}
		_, err := m.Media.RemoveMediaRoot(m.Owner, def)
		AssertCode(t, err, domain.EINVALID, "path")
		_, err = m.Media.RemoveMediaRoot(m.Owner, "/not/a/root")
		AssertCode(t, err, domain.ENOTFOUND, "")
	})
	t.Run("Bounded", func(t *testing.T) {
		for i := len(got.Roots); i < domain.MaxMediaRoots; i++ {
			dir := filepath.Join(extra, fmt.Sprint(i))
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Media.AddMediaRoot(m.Owner, dir); err != nil {
				t.Fatal(err)
			}
		}
		_, err := m.Media.AddMediaRoot(m.Owner, realTempDir(t))
		AssertCode(t, err, domain.EINVALID, "path")
	})
	if got, err = m.Media.RemoveMediaRoot(m.Owner, extra); err != nil || len(got.Roots) != domain.MaxMediaRoots-1 {
		t.Fatalf("remove: %d roots, %v", len(got.Roots), err)
	}
}

// A user's key registers only regular video files under the media roots;
// every other path — outside the roots, missing, a FIFO, a folder, a link,
// not a video, the owner token — gets the very same answer, so registering
// cannot tell whether a path exists or how large it is.
func TestTaskService_MediaRule_Register(t *testing.T) {
	m := newMediaEnv(t)
	_, _, uctx := m.MustCreateUser(t, "alice", 10)
	task := m.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "clips", TotalScenes: 50})
	root := filepath.Join(m.DataDir, domain.MediaFolder)
	token := writeFile(t, filepath.Join(m.DataDir, "owner-token"), "secret")
	fifo := filepath.Join(root, "fifo.mp4")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "link.mp4")
	if err := os.Symlink(m.Outside, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(m.DataDir, filepath.Join(root, "up")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "folder.mp4"), 0o700); err != nil {
		t.Fatal(err)
	}
	notVideo := writeFile(t, filepath.Join(root, "notes.txt"), "x")

	scene := 0
	add := func(path string) (*domain.Video, error) {
		scene++
		return m.Tasks.AddVideo(uctx, task.TaskID, domain.VideoInput{SceneNumber: scene, FilePath: path})
	}
	v, err := add(m.Inside)
	if err != nil || v.FileSize == nil || *v.FileSize != int64(len("in the root")) {
		t.Fatalf("register inside the root: %+v, %v", v, err)
	}
	var first error
	for _, p := range []string{
		"/etc/shadow", "/etc/passwd", m.Outside, filepath.Join(filepath.Dir(m.Outside), "missing.mp4"),
		filepath.Join(root, "missing.mp4"), fifo, link, filepath.Join(root, "up", "owner-token"),
		filepath.Join(root, "folder.mp4"), notVideo, token, "/dev/zero",
	} {
		_, err := add(p)
		AssertCode(t, err, domain.EINVALID, "file_path")
		if first == nil {
			first = err
		} else if err.Error() != first.Error() {
			t.Fatalf("%s: %q; want the same answer as for every refused path, %q", p, err, first)
		}
	}

	// The final video goes through the same rule.
	if _, err := m.Tasks.StartTask(uctx, task.TaskID); err != nil {
		t.Fatal(err)
	}
	_, err = m.Tasks.CompleteTask(uctx, task.TaskID, m.Outside)
	AssertCode(t, err, domain.EINVALID, "final_video_path")

	// A root the owner adds opens its folder to keys at once.
	if _, err := m.Media.AddMediaRoot(m.Owner, filepath.Dir(m.Outside)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Tasks.CompleteTask(uctx, task.TaskID, m.Outside); err != nil {
		t.Fatal(err)
	}

	// The owner may register any path, a missing one included.
	other := m.MustCreateTask(t, m.Owner, domain.TaskCreate{Prompt: "owner", TotalScenes: 2, Username: "alice"})
	if _, err := m.Tasks.AddVideo(m.Owner, other.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: "/videos/not-yet.mp4"}); err != nil {
		t.Fatal(err)
	}
}

// Streaming re-checks the rule on the opened file: a user streams files in
// the roots only, and gets one answer for every refusal; the owner streams
// any regular video file outside the data directory and is told why not.
func TestTaskService_OpenVideo(t *testing.T) {
	m := newMediaEnv(t)
	_, _, uctx := m.MustCreateUser(t, "alice", 10)
	_, _, bctx := m.MustCreateUser(t, "bob", 10)
	task := m.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "clips", TotalScenes: 10})
	root := filepath.Join(m.DataDir, domain.MediaFolder)
	inData := writeFile(t, filepath.Join(m.DataDir, "inside.mp4"), "data dir")
	fifo := filepath.Join(root, "fifo.mp4")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	swapped := writeFile(t, filepath.Join(root, "swapped.mp4"), "was fine")

	register := func(scene int, path string) int64 {
		t.Helper()
		v, err := m.Tasks.AddVideo(m.Owner, task.TaskID, domain.VideoInput{SceneNumber: scene, FilePath: path})
		if err != nil {
			t.Fatal(err)
		}
		return v.ID
	}
	inside := register(1, m.Inside)
	outside := register(2, m.Outside)
	data := register(3, inData)
	pipe := register(4, fifo)
	gone := register(5, filepath.Join(root, "gone.mp4"))
	swap := register(6, swapped)
	if err := os.Remove(swapped); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(m.Outside, swapped); err != nil {
		t.Fatal(err)
	}

	open := func(ctx context.Context, id int64) (string, error) {
		t.Helper()
		_, f, err := m.Tasks.OpenVideo(ctx, id)
		if err != nil {
			return "", err
		}
		defer f.Close()
		b := make([]byte, 64)
		n, _ := f.Read(b)
		return string(b[:n]), nil
	}
	if got, err := open(uctx, inside); err != nil || got != "in the root" {
		t.Fatalf("user, inside: %q, %v", got, err)
	}
	if got, err := open(m.Owner, outside); err != nil || got != "another user's clip" {
		t.Fatalf("owner, outside the roots: %q, %v", got, err)
	}
	var first string
	for _, id := range []int64{outside, data, pipe, gone, swap} {
		_, err := open(uctx, id)
		AssertCode(t, err, domain.ENOTFOUND, "")
		msg := strings.Replace(err.Error(), fmt.Sprint(id), "N", 1)
		if first == "" {
			first = msg
		} else if msg != first {
			t.Fatalf("video %d: %q, want the same answer as every refusal, %q", id, msg, first)
		}
	}
	for id, code := range map[int64]string{data: domain.EFORBIDDEN, pipe: domain.EFORBIDDEN, gone: domain.ENOTFOUND, swap: domain.EFORBIDDEN} {
		_, err := open(m.Owner, id)
		AssertCode(t, err, code, "")
	}
	_, err := open(bctx, inside)
	AssertCode(t, err, domain.ENOTFOUND, "")

	// Reads show a user nothing about files it may not stream.
	got, err := m.Tasks.FindTaskByID(uctx, task.TaskID)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range got.Videos {
		if want := v.ID != inside; v.Missing != want {
			t.Fatalf("video %d (%s): missing=%v, want %v", v.ID, v.FilePath, v.Missing, want)
		}
	}
	v, err := m.Tasks.FindVideoByID(m.Owner, outside)
	if err != nil || v.Missing || *v.FileSize != int64(len("another user's clip")) {
		t.Fatalf("owner reads the outside video: %+v, %v", v, err)
	}
	if v, err = m.Tasks.FindVideoByID(uctx, outside); err != nil || !v.Missing {
		t.Fatalf("user reads the outside video: %+v, %v; want it missing", v, err)
	}

	// Without a media rule (a bare TaskService) only regular video files are served.
	bare := store.NewTaskService(m.DB)
	if _, f, err := bare.OpenVideo(uctx, data); err != nil {
		t.Fatal(err)
	} else {
		f.Close()
	}
	if _, _, err := bare.OpenVideo(m.Owner, pipe); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("bare, FIFO: %v", err)
	}
	_, _, err = m.Tasks.OpenVideo(context.Background(), inside)
	AssertCode(t, err, domain.EUNAUTHORIZED, "")
}
