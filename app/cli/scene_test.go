package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
)

func TestSceneSet(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	id := r.createTask("alice", "scenes", "--scenes", "2")

	res := r.ok("scene", "set", id, "--file", filepath.Join("testdata", "scenes.json"))
	if want := fmt.Sprintf("Set 2 scenes on task %s.\n", id); res.Stdout != want {
		t.Fatalf("stdout=%q, want %q", res.Stdout, want)
	}
	got := r.showTask(id).Scripts
	if len(got) != 2 || got[0].SceneNumber != 1 || got[0].CameraMovement != "slow dolly in" || got[0].Lighting != "dawn" ||
		got[1].Description != "一只鹿穿过森林小路" || got[1].Duration != 4.5 {
		t.Fatalf("scripts=%+v", got)
	}

	t.Run("Stdin", func(t *testing.T) {
		r := r.with(t)
		r.stdin = `[{"scene_number": 1, "description": "from stdin", "duration": 2}]`
		defer func() { r.stdin = "" }()
		scripts := decode[[]domain.Script](t, r.ok("--json", "scene", "set", id, "--file", "-"))
		if len(scripts) != 1 || scripts[0].Description != "from stdin" || scripts[0].TaskID != id {
			t.Fatalf("scripts=%+v", scripts)
		}
		// The batch replaced the earlier scripts.
		if n := len(r.showTask(id).Scripts); n != 1 {
			t.Fatalf("%d scripts after replacing, want 1", n)
		}
	})

	t.Run("BadFiles", func(t *testing.T) {
		r := r.with(t)
		before := r.showTask(id)
		for _, tt := range []struct {
			file string
			want string
		}{
			{"scenes_syntax.json", "error: --file: testdata/scenes_syntax.json is not a JSON array of scenes: line 3: invalid character '\"' after object key:value pair.\n"},
			{"scenes_type.json", "error: --file: testdata/scenes_type.json is not a JSON array of scenes: line 3: scene_number must be a whole number, not string.\n"},
			{"scenes_unknown.json", "error: --file: testdata/scenes_unknown.json is not a JSON array of scenes: json: unknown field \"camera\".\n"},
			{"scenes_object.json", "error: --file: testdata/scenes_object.json is not a JSON array of scenes: want an array, not object.\n"},
			{"missing.json", "error: --file: cannot read testdata/missing.json: no such file or directory.\n"},
		} {
			t.Run(tt.file, func(t *testing.T) {
				r := r.with(t)
				r.fails(cli.ExitError, tt.want, "scene", "set", id, "--file", filepath.Join("testdata", tt.file))
			})
		}
		t.Run("WrongTypes", func(t *testing.T) {
			for _, tt := range []struct{ stdin, want string }{
				{"[{\"scene_number\": 1,\n \"duration\": \"long\"}]", "line 2: duration must be a number, not string"},
				{"[{\"scene_number\": 1, \"description\": 5}]", "line 1: description must be a string, not number"},
				{"[{\"scene_number\": 1.5}]", "line 1: scene_number must be a whole number, not number 1.5"},
			} {
				r := r.with(t)
				r.stdin = tt.stdin
				want := "error: --file: - is not a JSON array of scenes: " + tt.want + ".\n"
				r.fails(cli.ExitError, want, "scene", "set", id, "--file", "-")
			}
		})
		t.Run("NegativeDuration", func(t *testing.T) {
			r := r.with(t)
			res := r.run("scene", "set", id, "--file", filepath.Join("testdata", "scenes_negative.json"))
			if res.Code != cli.ExitError || !strings.Contains(strings.ToLower(res.Stderr), "duration") {
				t.Fatalf("exit %d, stderr %q; want an error naming the duration", res.Code, res.Stderr)
			}
		})
		if after := r.showTask(id); len(after.Scripts) != len(before.Scripts) || after.Scripts[0].Description != before.Scripts[0].Description {
			t.Fatalf("a refused scene set changed the scripts: %+v", after.Scripts)
		}
	})

	t.Run("Usage", func(t *testing.T) {
		r := r.with(t)
		r.fails(cli.ExitUsage, "error: missing required flag --file\nusage: reelvault scene set ID --file scenes.json\n", "scene", "set", id)
		r.fails(cli.ExitUsage, "error: missing ID\nusage: reelvault scene set ID --file scenes.json\n", "scene", "set", "--file", "x.json")
		r.fails(cli.ExitError, "error: Task nope not found.\n", "scene", "set", "nope", "--file", filepath.Join("testdata", "scenes.json"))
	})
}

func TestVideoAdd(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	id := r.createTask("alice", "videos", "--scenes", "2")
	r.ok("task", "start", id)

	clip := filepath.Join(t.TempDir(), "scene 1.mp4")
	if err := os.WriteFile(clip, make([]byte, 3000), 0o644); err != nil {
		t.Fatal(err)
	}
	res := r.ok("video", "add", id, "--scene", "1", "--file", clip, "--duration", "5.5", "--width", "1280", "--height", "720", "--fps", "24")
	if want := fmt.Sprintf("Added video 1 (scene 1, 2.9 KiB) to task %s.\n", id); res.Stdout != want {
		t.Fatalf("stdout=%q, want %q", res.Stdout, want)
	}

	v := decode[domain.Video](t, r.ok("video", "add", "--json", id, "--scene", "2", "--file", clip))
	if v.SceneNumber != 2 || v.FilePath != clip || v.FileSize == nil || *v.FileSize != 3000 ||
		v.Duration != nil || v.Width != nil || v.Height != nil || v.FPS != nil {
		t.Fatalf("video without metadata: %+v", v)
	}

	t.Run("RelativePathIsStoredAbsolute", func(t *testing.T) {
		r := r.with(t)
		other := r.createTask("alice", "relative paths", "--scenes", "1")
		rel := filepath.Join("testdata", "scenes.json") // any file that exists
		v := decode[domain.Video](t, r.ok("--json", "video", "add", other, "--scene", "1", "--file", rel))
		abs, _ := filepath.Abs(rel)
		if v.FilePath != abs {
			t.Fatalf("file_path=%q, want %q", v.FilePath, abs)
		}
	})

	videos := r.showTask(id).Videos
	first := videos[0]
	if first.Duration == nil || *first.Duration != 5.5 || *first.Width != 1280 || *first.Height != 720 || *first.FPS != 24 || *first.FileSize != 3000 {
		t.Fatalf("stored video: %+v", first)
	}

	t.Run("Errors", func(t *testing.T) {
		r := r.with(t)
		usage := "usage: reelvault video add ID --scene N --file PATH [--duration S --width W --height H --fps F] [--strict]\n"
		r.fails(cli.ExitUsage, "error: missing required flag --scene\n"+usage, "video", "add", id, "--file", clip)
		r.fails(cli.ExitUsage, "error: missing required flag --file\n"+usage, "video", "add", id, "--scene", "1")
		r.fails(cli.ExitUsage, "error: invalid value \"long\" for --duration: want a number\n"+usage, "video", "add", id, "--scene", "1", "--file", clip, "--duration", "long")
		r.fails(cli.ExitError, "error: Task nope not found.\n", "video", "add", "nope", "--scene", "1", "--file", clip)
		r.fails(cli.ExitError, "error: Scene 1 of task "+id+" already has a video.\n", "video", "add", id, "--scene", "1", "--file", clip)
		third := r.createTask("alice", "bad metadata", "--scenes", "1")
		for _, args := range [][]string{
			{"--scene", "-1"},
			{"--duration", "-1"},
			{"--width", "-5"},
			{"--height", "0"},
			{"--fps", "-30"},
		} {
			a := append([]string{"video", "add", third, "--scene", "1", "--file", clip}, args...)
			res := r.run(a...)
			if res.Code != cli.ExitError || !strings.HasPrefix(res.Stderr, "error: "+args[0]+": ") {
				t.Fatalf("video add %v: exit %d, stderr %q; want an error naming %s", args, res.Code, res.Stderr, args[0])
			}
		}
		if n := len(r.showTask(third).Videos); n != 0 {
			t.Fatalf("%d videos after refused adds, want 0", n)
		}
		if n := len(r.showTask(id).Videos); n != len(videos) {
			t.Fatalf("%d videos after refused adds, want %d", n, len(videos))
		}
	})
}
