package store_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

func TestTaskService_SetScripts(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 10)
		task := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "p"})
		scripts, err := e.Tasks.SetScripts(uctx, task.TaskID, []domain.ScriptInput{
			{SceneNumber: 2, Description: "Wide shot", Duration: 4.5, CameraMovement: "dolly in", Lighting: "golden hour"},
			{SceneNumber: 1, Description: "Opening", Duration: 3},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(scripts) != 2 || scripts[0].ID == 0 || scripts[0].TaskID != task.TaskID {
			t.Fatalf("scripts=%+v", scripts)
		}
		got, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if got.TotalScenes != 2 || len(got.Scripts) != 2 || got.Scripts[0].SceneNumber != 1 || got.Scripts[1].CameraMovement != "dolly in" {
			t.Fatalf("task=%+v scripts=%+v %+v", got, got.Scripts[0], got.Scripts[1])
		}
		// A second batch replaces the first.
		if _, err := e.Tasks.SetScripts(uctx, task.TaskID, []domain.ScriptInput{{SceneNumber: 1, Description: "Only"}}); err != nil {
			t.Fatal(err)
		}
		if n := e.Count(t, "scripts"); n != 1 {
			t.Fatalf("scripts=%d, want 1", n)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 10)
		task := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "p"})
		if _, err := e.Tasks.SetScripts(uctx, task.TaskID, []domain.ScriptInput{{SceneNumber: 1, Description: "keep"}}); err != nil {
			t.Fatal(err)
		}
		before := e.Counts(t)
		ok := domain.ScriptInput{SceneNumber: 1, Description: "fine"}
		for _, tt := range []struct {
			name  string
			in    []domain.ScriptInput
			field string
		}{
			{"SceneZero", []domain.ScriptInput{{SceneNumber: 0, Description: "x"}}, "scripts[0].scene_number"},
			{"DuplicateScene", []domain.ScriptInput{ok, ok}, "scripts[1].scene_number"},
			{"EmptyDescription", []domain.ScriptInput{ok, {SceneNumber: 2}}, "scripts[1].description"},
			{"InvalidUTF8", []domain.ScriptInput{{SceneNumber: 1, Description: "\xc3\x28"}}, "scripts[0].description"},
			{"NegativeDuration", []domain.ScriptInput{{SceneNumber: 1, Description: "x", Duration: -1}}, "scripts[0].duration"},
			{"NaNDuration", []domain.ScriptInput{{SceneNumber: 1, Description: "x", Duration: math.NaN()}}, "scripts[0].duration"},
			{"LongDescription", []domain.ScriptInput{{SceneNumber: 1, Description: strings.Repeat("x", domain.MaxPromptChars+1)}}, "scripts[0].description"},
			{"BadLighting", []domain.ScriptInput{{SceneNumber: 1, Description: "x", Lighting: "\xff"}}, "scripts[0].lighting"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.Tasks.SetScripts(uctx, task.TaskID, tt.in)
				AssertCode(t, err, domain.EINVALID, tt.field)
			})
		}
		if after := e.Counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("rows changed: %v → %v", before, after)
		}
		got, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Scripts) != 1 || got.Scripts[0].Description != "keep" {
			t.Fatalf("scripts=%+v, want the kept one", got.Scripts)
		}
	})

	t.Run("ErrTerminal", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 10)
		task := mustTaskIn(t, e, uctx, domain.StatusCancelled)
		_, err := e.Tasks.SetScripts(uctx, task.TaskID, []domain.ScriptInput{{SceneNumber: 1, Description: "x"}})
		AssertCode(t, err, domain.ECONFLICT, "")
	})
}

func TestTaskService_AddVideo(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 10)
		task := mustTaskIn(t, e, uctx, domain.StatusProcessing) // 2 scenes
		dir := t.TempDir()
		clip := filepath.Join(dir, "scene1.mp4")
		if err := os.WriteFile(clip, make([]byte, 1234), 0o600); err != nil {
			t.Fatal(err)
		}
		dur, w, h, fps := 4.0, 1920, 1080, 24.0
		v, err := e.Tasks.AddVideo(uctx, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: clip, Duration: &dur, Width: &w, Height: &h, FPS: &fps})
		if err != nil {
			t.Fatal(err)
		}
		if v.FileSize == nil || *v.FileSize != 1234 || v.Missing {
			t.Fatalf("video=%+v, want size 1234", v)
		}
		gone := filepath.Join(dir, "scene2.mp4")
		if _, err := e.Tasks.AddVideo(uctx, task.TaskID, domain.VideoInput{SceneNumber: 2, FilePath: gone}); err != nil {
			t.Fatal(err)
		}

		// The file grows, and one disappears: reads reflect the disk.
		if err := os.WriteFile(clip, make([]byte, 2000), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Videos) != 2 {
			t.Fatalf("videos=%d, want 2", len(got.Videos))
		}
		if v := got.Videos[0]; v.Missing || *v.FileSize != 2000 || *v.Width != 1920 || *v.FPS != 24 {
			t.Fatalf("video 1=%+v", v)
		}
		if v := got.Videos[1]; !v.Missing || v.FileSize != nil {
			t.Fatalf("video 2=%+v, want missing", v)
		}
		byID, err := e.Tasks.FindVideoByID(uctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if byID.TaskID != task.TaskID || byID.FilePath != clip || *byID.FileSize != 2000 {
			t.Fatalf("video by id=%+v", byID)
		}
		_, err = e.Tasks.FindVideoByID(uctx, 9999)
		AssertCode(t, err, domain.ENOTFOUND, "")
	})

	t.Run("RelativePathMadeAbsolute", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 10)
		task := mustTaskIn(t, e, uctx, domain.StatusProcessing)
		v, err := e.Tasks.AddVideo(uctx, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: "clips/1.mp4"})
		if err != nil {
			t.Fatal(err)
		}
		if !filepath.IsAbs(v.FilePath) {
			t.Fatalf("file_path=%q, want absolute", v.FilePath)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 10)
		task := mustTaskIn(t, e, uctx, domain.StatusProcessing) // 2 scenes
		before := e.Counts(t)
		neg, zero, nan := -1.0, 0, math.NaN()
		for _, tt := range []struct {
			name  string
			in    domain.VideoInput
			field string
		}{
			{"FinalScene", domain.VideoInput{SceneNumber: 0, FilePath: "/a.mp4"}, "scene_number"},
			{"NegativeScene", domain.VideoInput{SceneNumber: -3, FilePath: "/a.mp4"}, "scene_number"},
			{"SceneBeyondTotal", domain.VideoInput{SceneNumber: 3, FilePath: "/a.mp4"}, "scene_number"},
			{"EmptyPath", domain.VideoInput{SceneNumber: 1}, "file_path"},
			{"NulInPath", domain.VideoInput{SceneNumber: 1, FilePath: "/a\x00.mp4"}, "file_path"},
			{"NegativeDuration", domain.VideoInput{SceneNumber: 1, FilePath: "/a.mp4", Duration: &neg}, "duration"},
			{"NaNDuration", domain.VideoInput{SceneNumber: 1, FilePath: "/a.mp4", Duration: &nan}, "duration"},
			{"ZeroWidth", domain.VideoInput{SceneNumber: 1, FilePath: "/a.mp4", Width: &zero}, "width"},
			{"ZeroHeight", domain.VideoInput{SceneNumber: 1, FilePath: "/a.mp4", Height: &zero}, "height"},
			{"NegativeFPS", domain.VideoInput{SceneNumber: 1, FilePath: "/a.mp4", FPS: &neg}, "fps"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.Tasks.AddVideo(uctx, task.TaskID, tt.in)
				AssertCode(t, err, domain.EINVALID, tt.field)
			})
		}
		if after := e.Counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("rows changed: %v → %v", before, after)
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 10)
		task := mustTaskIn(t, e, uctx, domain.StatusProcessing)
		if _, err := e.Tasks.AddVideo(uctx, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: "/a.mp4"}); err != nil {
			t.Fatal(err)
		}
		before := e.Counts(t)
		_, err := e.Tasks.AddVideo(uctx, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: "/b.mp4"})
		AssertCode(t, err, domain.ECONFLICT, "")
		if after := e.Counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("rows changed: %v → %v", before, after)
		}
		done := mustTaskIn(t, e, uctx, domain.StatusCompleted)
		_, err = e.Tasks.AddVideo(uctx, done.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: "/c.mp4"})
		AssertCode(t, err, domain.ECONFLICT, "")
	})
}
