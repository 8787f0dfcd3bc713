package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"github.com/reelvault/reelvault/store/probe/probetest"
)

// clips are the test videos of this file, made once per test binary.
var clips struct {
	dir              string
	mp4, webm, other string
}

func testClips(t *testing.T) (mp4, webm, other string) {
	t.Helper()
	if clips.dir == "" {
		dir, err := os.MkdirTemp("", "reelvault-clips-")
		if err != nil {
			t.Fatal(err)
		}
		clips.mp4 = probetest.Make(t, dir, "final.mp4", probetest.Clip{Width: 320, Height: 180, FPS: 25, Seconds: 2, Codec: "h264"})
		clips.webm = probetest.Make(t, dir, "scene.webm", probetest.Clip{Width: 256, Height: 144, FPS: 24, Seconds: 1, Codec: "vp9"})
		clips.other = probetest.Make(t, dir, "other.mp4", probetest.Clip{Width: 160, Height: 90, FPS: 30, Seconds: 1, Codec: "h264"})
		clips.dir = dir
	}
	return clips.mp4, clips.webm, clips.other
}

// copyClip copies src into dir under name.
func copyClip(t *testing.T, src, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func sha(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// startTask creates and starts a task of scenes scenes as the owner.
func startTask(t *testing.T, e *env, scenes int) *domain.Task {
	t.Helper()
	e.MustCreateUser(t, "studio", 100)
	task := e.MustCreateTask(t, e.Owner, domain.TaskCreate{Username: "studio", Prompt: "A night market", TotalScenes: scenes})
	if _, err := e.Tasks.StartTask(e.Owner, task.TaskID); err != nil {
		t.Fatal(err)
	}
	return task
}

func TestTaskService_VideoFacts(t *testing.T) {
	mp4, webm, _ := testClips(t)
	e := newEnv(t)
	task := startTask(t, e, 2)

	t.Run("Mismatch", func(t *testing.T) {
		v, err := e.Tasks.AddVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: mp4,
			Width: ptr(1920), Height: ptr(1080), Duration: ptr(2.0), FPS: ptr(25.0)})
		if err != nil {
			t.Fatal(err)
		}
		if *v.Width != 320 || *v.Height != 180 || v.Codec != "avc1" {
			t.Fatalf("facts=%dx%d %q, want 320x180 avc1", *v.Width, *v.Height, v.Codec)
		}
		if got, want := v.Mismatch, []string{"width", "height"}; !slices.Equal(got, want) {
			t.Fatalf("mismatch=%v, want %v", got, want)
		}
		if v.Claimed == nil || *v.Claimed.Width != 1920 || *v.Claimed.Height != 1080 {
			t.Fatalf("claimed=%+v, want 1920x1080 kept", v.Claimed)
		}
		if got, want := v.ContentHash, sha(t, mp4); got != want {
			t.Fatalf("content_hash=%q, want %q", got, want)
		}
		if v.ProbedAt == nil || v.ProbeError != "" {
			t.Fatalf("probed_at=%v probe_error=%q", v.ProbedAt, v.ProbeError)
		}
		// Read back through FindTaskByID: the same facts.
		got, err := e.Tasks.FindTaskByID(e.Owner, task.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		rv := got.Videos[0]
		if !slices.Equal(rv.Mismatch, v.Mismatch) || rv.ContentHash != v.ContentHash || *rv.FPS != 25 || rv.Claimed == nil {
			t.Fatalf("read back %+v", rv)
		}
	})
	t.Run("Agrees", func(t *testing.T) {
		v, err := e.Tasks.AddVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 2, FilePath: webm, Width: ptr(256), Height: ptr(144), Duration: ptr(1.2)})
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Mismatch) != 0 || v.Codec != "V_VP9" || *v.FPS != 24 {
			t.Fatalf("video=%+v, want VP9 24 fps and no mismatch", v)
		}
	})
	t.Run("Final", func(t *testing.T) {
		if _, err := e.Tasks.CompleteTask(e.Owner, task.TaskID, webm); err != nil {
			t.Fatal(err)
		}
		v, err := e.Tasks.FindVideoByID(e.Owner, 3)
		if err != nil {
			t.Fatal(err)
		}
		if v.SceneNumber != 0 || *v.Width != 256 || v.Claimed != nil || v.ContentHash != sha(t, webm) {
			t.Fatalf("final=%+v", v)
		}
	})
	t.Run("NotVideo", func(t *testing.T) {
		e := newEnv(t)
		task := startTask(t, e, 1)
		p := writeFile(t, filepath.Join(t.TempDir(), "notes.mp4"), "words")
		v, err := e.Tasks.AddVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: p, Width: ptr(640), Height: ptr(360)})
		if err != nil {
			t.Fatal(err)
		}
		if *v.Width != 640 || len(v.Mismatch) != 0 || v.ProbeError == "" || v.ProbedAt == nil {
			t.Fatalf("video=%+v, want the claim kept with a probe error", v)
		}
	})
	t.Run("Missing", func(t *testing.T) {
		e := newEnv(t)
		task := startTask(t, e, 1)
		v, err := e.Tasks.AddVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: "/nonexistent/clip.mp4", Width: ptr(640)})
		if err != nil {
			t.Fatal(err)
		}
		if !v.Missing || v.ProbedAt != nil || v.ContentHash != "" || *v.Width != 640 {
			t.Fatalf("video=%+v, want missing and unprobed", v)
		}
	})
}

func TestTaskService_VideoHashInBackground(t *testing.T) {
	mp4, _, _ := testClips(t)
	e := newEnv(t)
	e.Tasks.HashInline = 1 // every real clip is "big"
	task := startTask(t, e, 1)
	v, err := e.Tasks.AddVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: mp4})
	if err != nil {
		t.Fatal(err)
	}
	if v.ContentHash != "" {
		t.Fatalf("content_hash=%q at registration, want it left to the background", v.ContentHash)
	}
	e.Tasks.WaitHashes()
	got, err := e.Tasks.FindVideoByID(e.Owner, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ContentHash != sha(t, mp4) {
		t.Fatalf("content_hash=%q after the background hash, want %q", got.ContentHash, sha(t, mp4))
	}
}

func TestTaskService_ReplaceRemoveVideo(t *testing.T) {
	mp4, webm, other := testClips(t)
	e := newEnv(t)
	task := startTask(t, e, 1)
	if _, err := e.Tasks.AddVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: mp4}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Tasks.CompleteTask(e.Owner, task.TaskID, webm); err != nil {
		t.Fatal(err)
	}
	t.Run("Replace", func(t *testing.T) {
		v, err := e.Tasks.ReplaceVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: other, Width: ptr(160)})
		if err != nil {
			t.Fatal(err)
		}
		if v.ID != 1 || v.FilePath != other || *v.Width != 160 || *v.Height != 90 || v.ContentHash != sha(t, other) || len(v.Mismatch) != 0 {
			t.Fatalf("replaced=%+v", v)
		}
		got, _ := e.Tasks.FindTaskByID(e.Owner, task.TaskID)
		if ev := got.Events[len(got.Events)-1]; ev.Type != domain.EventVideoReplaced {
			t.Fatalf("last event %q, want %q", ev.Type, domain.EventVideoReplaced)
		}
	})
	t.Run("ReplaceFinal", func(t *testing.T) {
		if _, err := e.Tasks.ReplaceVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 0, FilePath: mp4}); err != nil {
			t.Fatal(err)
		}
		got, _ := e.Tasks.FindTaskByID(e.Owner, task.TaskID)
		if got.FinalVideoPath != mp4 {
			t.Fatalf("final_video_path=%q, want %q", got.FinalVideoPath, mp4)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		_, err := e.Tasks.ReplaceVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 7, FilePath: mp4})
		AssertCode(t, err, domain.ENOTFOUND, "")
		_, err = e.Tasks.ReplaceVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: -1, FilePath: mp4})
		AssertCode(t, err, domain.EINVALID, "scene_number")
		_, err = e.Tasks.ReplaceVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: ""})
		AssertCode(t, err, domain.EINVALID, "file_path")
		_, err = e.Tasks.ReplaceVideo(e.Owner, "no-such-task", domain.VideoInput{SceneNumber: 1, FilePath: mp4})
		AssertCode(t, err, domain.ENOTFOUND, "")
		AssertCode(t, e.Tasks.RemoveVideo(e.Owner, task.TaskID, 9), domain.ENOTFOUND, "")
		AssertCode(t, e.Tasks.RemoveVideo(e.Owner, task.TaskID, domain.MaxScenes+1), domain.EINVALID, "scene_number")
		// Another user cannot touch the task.
		_, _, bob := e.MustCreateUser(t, "bob", 1)
		AssertCode(t, e.Tasks.RemoveVideo(bob, task.TaskID, 1), domain.ENOTFOUND, "")
	})
	t.Run("Remove", func(t *testing.T) {
		before := e.Count(t, "videos")
		if err := e.Tasks.RemoveVideo(e.Owner, task.TaskID, 0); err != nil {
			t.Fatal(err)
		}
		if got := e.Count(t, "videos"); got != before-1 {
			t.Fatalf("videos=%d, want %d", got, before-1)
		}
		got, _ := e.Tasks.FindTaskByID(e.Owner, task.TaskID)
		if got.FinalVideoPath != "" || len(got.Videos) != 1 {
			t.Fatalf("after removal: final=%q videos=%d", got.FinalVideoPath, len(got.Videos))
		}
		if _, err := os.Stat(webm); err != nil {
			t.Fatalf("the file itself was touched: %v", err)
		}
	})
	t.Run("StatsMatchRebuild", func(t *testing.T) {
		before, err := e.Stats.DailyStats(e.Owner, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Stats.RebuildStats(e.Owner); err != nil {
			t.Fatal(err)
		}
		after, _ := e.Stats.DailyStats(e.Owner, "", "")
		if before[0].TotalVideos != after[0].TotalVideos || int(before[0].TotalVideoSeconds*100) != int(after[0].TotalVideoSeconds*100) {
			t.Fatalf("kept %+v, rebuilt %+v", before[0], after[0])
		}
	})
}

func TestTaskService_Relink(t *testing.T) {
	mp4, webm, other := testClips(t)
	e := newEnv(t)
	task := startTask(t, e, 3)
	old := t.TempDir()
	a := copyClip(t, mp4, old, "a.mp4")
	b := copyClip(t, webm, old, "b.webm")
	c := copyClip(t, other, old, "c.mp4")
	for i, p := range []string{a, b, c} {
		if _, err := e.Tasks.AddVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: i + 1, FilePath: p}); err != nil {
			t.Fatal(err)
		}
	}
	// b was registered before hashes existed: no hash, so only size and name tell.
	if err := e.DB.Write(context.Background(), func(x *sqlx.DB) error {
		_, err := x.ExecContext(context.Background(), `UPDATE videos SET content_hash = '' WHERE scene_number = 2`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	moved := t.TempDir()
	os.MkdirAll(filepath.Join(moved, "sub"), 0o700)
	a2 := copyClip(t, mp4, filepath.Join(moved, "sub"), "renamed.mp4")
	b2 := copyClip(t, webm, moved, "b.webm")
	for _, p := range []string{a, b, c} {
		os.Remove(p)
	}
	t.Run("DryRun", func(t *testing.T) {
		rep, err := e.Tasks.Relink(e.Owner, domain.RelinkRequest{Folder: moved, DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Missing != 3 || len(rep.Relinked) != 2 || len(rep.Unmatched) != 1 || rep.FilesScanned != 2 {
			t.Fatalf("report=%+v", rep)
		}
		if rep.Relinked[0].To != a2 || rep.Relinked[0].By != "hash" || rep.Relinked[1].To != b2 || rep.Relinked[1].By != "size_name" {
			t.Fatalf("relinked=%+v", rep.Relinked)
		}
		got, _ := e.Tasks.FindTaskByID(e.Owner, task.TaskID)
		if got.Videos[0].FilePath != a {
			t.Fatal("a dry run changed a path")
		}
	})
	t.Run("Relink", func(t *testing.T) {
		rep, err := e.Tasks.Relink(e.Owner, domain.RelinkRequest{Folder: moved})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Relinked) != 2 {
			t.Fatalf("report=%+v", rep)
		}
		got, _ := e.Tasks.FindTaskByID(e.Owner, task.TaskID)
		if got.Videos[0].FilePath != a2 || got.Videos[1].FilePath != b2 || got.Videos[1].ContentHash != sha(t, webm) || !got.Videos[2].Missing {
			t.Fatalf("videos after relink: %+v %+v %+v", got.Videos[0], got.Videos[1], got.Videos[2])
		}
		if ev := got.Events[len(got.Events)-1]; ev.Type != domain.EventVideoRelinked {
			t.Fatalf("last event %q", ev.Type)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		_, err := e.Tasks.Relink(e.Owner, domain.RelinkRequest{Folder: "relative"})
		AssertCode(t, err, domain.EINVALID, "folder")
		_, err = e.Tasks.Relink(e.Owner, domain.RelinkRequest{Folder: filepath.Join(moved, "nope")})
		AssertCode(t, err, domain.EINVALID, "folder")
		_, _, bob := e.MustCreateUser(t, "bob", 1)
		_, err = e.Tasks.Relink(bob, domain.RelinkRequest{Folder: moved})
		AssertCode(t, err, domain.EFORBIDDEN, "")
	})
}

func TestTaskService_Storage(t *testing.T) {
	mp4, webm, _ := testClips(t)
	e := newEnv(t)
	task := startTask(t, e, 2)
	_, _, bob := e.MustCreateUser(t, "bob", 5)
	bt := e.MustCreateTask(t, bob, domain.TaskCreate{Prompt: "Bob's", TotalScenes: 1})
	e.Tasks.StartTask(bob, bt.TaskID)
	e.Tasks.AddVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: mp4})
	e.Tasks.AddVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 2, FilePath: "/gone/clip.mp4"})
	e.Tasks.AddVideo(e.Owner, bt.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: webm})
	size := func(p string) int64 { fi, _ := os.Stat(p); return fi.Size() }

	rep, err := e.Tasks.Storage(e.Owner)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Videos != 3 || rep.MissingCount != 1 || rep.TotalBytes != size(mp4)+size(webm) || len(rep.Users) != 2 || len(rep.Tasks) != 2 {
		t.Fatalf("report=%+v", rep)
	}
	if rep.Missing[0].FilePath != "/gone/clip.mp4" || rep.Missing[0].Username != "studio" {
		t.Fatalf("missing=%+v", rep.Missing)
	}
	// Bob sees only his own.
	rep, err = e.Tasks.Storage(bob)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Videos != 1 || len(rep.Users) != 1 || rep.Users[0].Key != "bob" || rep.TotalBytes != size(webm) {
		t.Fatalf("bob's report=%+v", rep)
	}
}

func TestTaskService_Storage_Collections(t *testing.T) {
	mp4, webm, _ := testClips(t)
	e := newEnv(t)
	lib := store.NewLibraryService(e.DB)
	a := startTask(t, e, 2)
	started := func(ctx context.Context, prompt string) *domain.Task {
		task := e.MustCreateTask(t, ctx, domain.TaskCreate{Username: "studio", Prompt: prompt, TotalScenes: 1})
		if _, err := e.Tasks.StartTask(ctx, task.TaskID); err != nil {
			t.Fatal(err)
		}
		return task
	}
	b, c := started(e.Owner, "A harbour"), started(e.Owner, "A bridge")
	_, _, bob := e.MustCreateUser(t, "bob", 5)
	bt := e.MustCreateTask(t, bob, domain.TaskCreate{Prompt: "Bob's", TotalScenes: 1})
	e.Tasks.StartTask(bob, bt.TaskID)
	e.Tasks.AddVideo(e.Owner, a.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: mp4})
	e.Tasks.AddVideo(e.Owner, a.TaskID, domain.VideoInput{SceneNumber: 2, FilePath: "/gone/clip.mp4"})
	e.Tasks.AddVideo(e.Owner, b.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: webm})
	e.Tasks.AddVideo(e.Owner, c.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: webm})
	e.Tasks.AddVideo(bob, bt.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: webm})
	size := func(p string) int64 { fi, _ := os.Stat(p); return fi.Size() }
	for _, name := range []string{"Trailers", "Drafts", "Empty"} {
		if _, err := lib.CreateCollection(e.Owner, name); err != nil {
			t.Fatal(err)
		}
	}
	// a is in both, b only in Trailers, c (trashed below) in Drafts, Bob's in Drafts.
	for name, ids := range map[string][]string{"Trailers": {a.TaskID, b.TaskID}, "Drafts": {a.TaskID, c.TaskID, bt.TaskID}} {
		if _, err := lib.AddToCollection(e.Owner, name, ids); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := lib.TrashTasks(e.Owner, []string{c.TaskID}, domain.TrashOptions{}); err != nil || res.Changed != 1 {
		t.Fatal(res, err)
	}

	rep, err := e.Tasks.Storage(e.Owner)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.StorageUsage{
		{Key: "Trailers", Bytes: size(mp4) + size(webm), Videos: 3, Missing: 1},
		{Key: "Drafts", Bytes: size(mp4) + size(webm), Videos: 3, Missing: 1},
	}
	if size(mp4)+size(webm) == 0 || len(rep.Collections) != 2 {
		t.Fatalf("collections=%+v", rep.Collections)
	}
	// Equal sizes sort by name.
	if want[0].Key > want[1].Key {
		want[0], want[1] = want[1], want[0]
	}
	for i := range want {
		if got := rep.Collections[i]; got != want[i] {
			t.Fatalf("collection %d=%+v, want %+v", i, got, want[i])
		}
	}
	// The trashed task still counts for its user and in the task list.
	if rep.Videos != 5 || len(rep.Tasks) != 4 {
		t.Fatalf("videos=%d tasks=%d", rep.Videos, len(rep.Tasks))
	}

	// Bob sees only his own task in Drafts.
	rep, err = e.Tasks.Storage(bob)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Collections) != 1 || rep.Collections[0] != (domain.StorageUsage{Key: "Drafts", Bytes: size(webm), Videos: 1}) {
		t.Fatalf("bob's collections=%+v", rep.Collections)
	}
}

func TestTaskService_OpenPosterVideo(t *testing.T) {
	mp4, webm, _ := testClips(t)
	e := newEnv(t)
	task := startTask(t, e, 1)
	_, _, err := e.Tasks.OpenPosterVideo(e.Owner, task.TaskID)
	AssertCode(t, err, domain.ENOTFOUND, "")
	e.Tasks.AddVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: webm})
	v, src, err := e.Tasks.OpenPosterVideo(e.Owner, task.TaskID)
	if err != nil {
		t.Fatal(err)
	}
	src.File.Close()
	if v.SceneNumber != 1 {
		t.Fatalf("poster from scene %d, want 1", v.SceneNumber)
	}
	e.Tasks.CompleteTask(e.Owner, task.TaskID, mp4)
	v, src2, err := e.Tasks.OpenPosterVideo(e.Owner, task.TaskID)
	if err != nil {
		t.Fatal(err)
	}
	src2.File.Close()
	if v.SceneNumber != 0 || src2.Key == src.Key {
		t.Fatalf("poster from scene %d key %q, want the final video's own key", v.SceneNumber, src2.Key)
	}
}

func TestExportService_VideoFacts(t *testing.T) {
	mp4, _, _ := testClips(t)
	e := newEnv(t)
	task := startTask(t, e, 1)
	if _, err := e.Tasks.AddVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: mp4, Width: ptr(999)}); err != nil {
		t.Fatal(err)
	}
	doc := exportAll(t, e.DB, domain.ExportFilter{})
	for _, want := range []string{`"codec":"avc1"`, `"content_hash":"` + sha(t, mp4) + `"`, `"claimed_width":999`, `"mismatch":"width"`, `"probed_at":`} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Fatalf("export lacks %s:\n%s", want, doc)
		}
	}
	path := filepath.Join(t.TempDir(), "export.json")
	os.WriteFile(path, doc, 0o600)
	db2 := MustOpenDB(t)
	importFile(t, db2, path)
	if again := exportAll(t, db2, domain.ExportFilter{}); !bytes.Contains(again, []byte(`"mismatch":"width"`)) || !bytes.Contains(again, []byte(sha(t, mp4))) {
		t.Fatalf("re-export lost the facts:\n%s", again)
	}
	t.Run("BadFacts", func(t *testing.T) {
		bad := bytes.Replace(doc, []byte(`"mismatch":"width"`), []byte(`"mismatch":"colour"`), 1)
		os.WriteFile(path, bad, 0o600)
		f, _ := os.Open(path)
		defer f.Close()
		_, err := store.NewExportService(MustOpenDB(t)).Import(e.Owner, f)
		AssertCode(t, err, domain.EINVALID, "tasks[1].videos[0].mismatch")
	})
}
