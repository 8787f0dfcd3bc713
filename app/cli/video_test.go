package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store/probe/probetest"
)

func TestVideoFacts_CLI(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	id := r.createTask("alice", "facts", "--scenes", "2")
	r.ok("task", "start", id)
	clips := t.TempDir()
	a := probetest.Make(t, clips, "a.mp4", probetest.Clip{Width: 320, Height: 180, FPS: 25, Seconds: 1, Codec: "h264"})
	b := probetest.Make(t, clips, "b.webm", probetest.Clip{Width: 256, Height: 144, FPS: 24, Seconds: 1, Codec: "vp9"})

	r.ok("video", "add", id, "--scene", "1", "--file", a, "--width", "1920", "--height", "1080")
	r.ok("video", "add", id, "--scene", "2", "--file", b)

	t.Run("Show", func(t *testing.T) {
		r := r.with(t)
		task := r.showTask(id)
		v := task.Videos[0]
		if *v.Width != 320 || *v.Claimed.Width != 1920 || !slices.Equal(v.Mismatch, []string{"width", "height"}) || v.Codec != "avc1" || v.ContentHash == "" {
			t.Fatalf("video=%+v", v)
		}
		out := r.ok("task", "show", id).Stdout
		for _, want := range []string{"avc1", "MISMATCH: claimed 1920x1080; the file differs in width, height", "V_VP9", "checked"} {
			if !strings.Contains(out, want) {
				t.Fatalf("task show lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("Replace", func(t *testing.T) {
		r := r.with(t)
		res := r.ok("video", "replace", id, "--scene", "1", "--file", b)
		if !strings.Contains(res.Stdout, "Replaced the video of scene 1 of task "+id+" with "+b+" (256x144@24, checked).") {
			t.Fatalf("stdout=%q", res.Stdout)
		}
		v := decode[domain.Video](t, r.ok("--json", "video", "replace", id, "--scene", "1", "--file", a, "--width", "320"))
		if v.FilePath != a || len(v.Mismatch) != 0 {
			t.Fatalf("video=%+v", v)
		}
		r.fails(cli.ExitError, "error: Scene 7 of task "+id+" has no video.\n", "video", "replace", id, "--scene", "7", "--file", a)
		r.fails(cli.ExitError, "error: --scene: The scene_number must be from 0 (the final video) to 1000, not -1.\n", "video", "replace", id, "--scene", "-1", "--file", a)
	})
	t.Run("Storage", func(t *testing.T) {
		r := r.with(t)
		rep := decode[domain.StorageReport](t, r.ok("--json", "storage"))
		if rep.Videos != 2 || rep.MissingCount != 0 || len(rep.Users) != 1 {
			t.Fatalf("report=%+v", rep)
		}
		if out := r.ok("storage").Stdout; !strings.Contains(out, "2 videos") || !strings.Contains(out, "alice") || strings.Contains(out, "Per collection") {
			t.Fatalf("storage:\n%s", out)
		}
		r.ok("collection", "create", "Cuts")
		r.ok("collection", "add", "Cuts", id)
		rep = decode[domain.StorageReport](t, r.ok("--json", "storage"))
		if len(rep.Collections) != 1 || rep.Collections[0].Key != "Cuts" || rep.Collections[0].Videos != 2 {
			t.Fatalf("collections=%+v", rep.Collections)
		}
		if out := r.ok("storage").Stdout; !strings.Contains(out, "Per collection") || !strings.Contains(out, "  Cuts") {
			t.Fatalf("storage:\n%s", out)
		}
	})
	t.Run("Relink", func(t *testing.T) {
		r := r.with(t)
		moved := t.TempDir()
		data, _ := os.ReadFile(b)
		nb := filepath.Join(moved, "renamed.webm")
		os.WriteFile(nb, data, 0o600)
		os.Remove(b)
		rep := decode[domain.RelinkReport](t, r.ok("--json", "relink", "--folder", moved, "--dry-run"))
		if !rep.DryRun || rep.Missing != 1 || len(rep.Relinked) != 1 || rep.Relinked[0].To != nb {
			t.Fatalf("report=%+v", rep)
		}
		out := r.ok("relink", "--folder", moved).Stdout
		if !strings.Contains(out, "Re-linked 1, 0 not found.") || !strings.Contains(out, nb) {
			t.Fatalf("relink:\n%s", out)
		}
		if got := r.showTask(id).Videos[1].FilePath; got != nb {
			t.Fatalf("scene 2 at %q, want %q", got, nb)
		}
		r.fails(cli.ExitUsage, "error: missing required flag --folder\nusage: reelvault relink --folder DIR [--dry-run]\n", "relink")
	})
	t.Run("Remove", func(t *testing.T) {
		r := r.with(t)
		if out := r.ok("video", "remove", id, "--scene", "2").Stdout; out != "Removed the video of scene 2 of task "+id+"; the file is still on disk.\n" {
			t.Fatalf("stdout=%q", out)
		}
		if n := len(r.showTask(id).Videos); n != 1 {
			t.Fatalf("%d videos after removal, want 1", n)
		}
	})
	// A lost file: storage lists it under the missing files, and a relink
	// that cannot find it says why, in text.
	t.Run("Missing", func(t *testing.T) {
		r := r.with(t)
		if err := os.Remove(a); err != nil {
			t.Fatal(err)
		}
		out := r.ok("storage").Stdout
		for _, want := range []string{"1 videos, ", " 1 missing.", "Largest tasks:", "Missing files (reelvault relink --folder DIR finds moved ones):", "scene 1", a} {
			if !strings.Contains(out, want) {
				t.Fatalf("storage lacks %q:\n%s", want, out)
			}
		}
		empty := t.TempDir()
		out = r.ok("relink", "--folder", empty, "--dry-run").Stdout
		head := fmt.Sprintf("1 videos are missing; looked at 0 video files in %s. Would re-link 0, 1 not found.\n", empty)
		if !strings.HasPrefix(out, head) {
			t.Fatalf("relink --dry-run:\n%s\nwant it to start %q", out, head)
		}
		for _, want := range []string{"Not found:", "WHY", a, "no video file in the folder has its size"} {
			if !strings.Contains(out, want) {
				t.Fatalf("relink --dry-run lacks %q:\n%s", want, out)
			}
		}
		if got := r.showTask(id).Videos[0].FilePath; got != a {
			t.Fatalf("scene 1 at %q after a dry run, want %q", got, a)
		}
	})
}
