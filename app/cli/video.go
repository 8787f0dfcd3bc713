package cli

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "video replace",
		Args:    "ID --scene N --file PATH [--duration S --width W --height H --fps F]",
		Summary: "Register another file for a scene's video (scene 0: the final video); its facts are read from the file.",
		Run:     runVideoReplace,
	})
	Register(&Command{
		Name:    "video remove",
		Args:    "ID --scene N",
		Summary: "Unregister a scene's video (scene 0: the final video); the file stays on disk.",
		Run:     runVideoRemove,
	})
	Register(&Command{
		Name:    "relink",
		Args:    "--folder DIR [--dry-run]",
		Summary: "Find moved video files in a folder by size and SHA-256 and register them at their new paths.",
		Run:     runRelink,
	})
	Register(&Command{
		Name:    "storage",
		Summary: "Show the disk use of the videos per user and task, and the missing files.",
		Run:     runStorage,
	})
}

// videoService returns the store's video fixes.
func (env *Env) videoService(svc *Services) (domain.VideoService, error) {
	v, ok := svc.Tasks.(domain.VideoService)
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Video fixes are not available with this --db backend.")
	}
	return v, nil
}

func runVideoReplace(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	vf := videoFlags(fs, "the scene number; 0 is the final video", "the new video file", "claimed ")
	id, svc, err := env.parseTask(ctx, fs, args, "scene", "file")
	if err != nil {
		return err
	}
	in, err := vf.input()
	if err != nil {
		return err
	}
	vs, err := env.videoService(svc)
	if err != nil {
		return err
	}
	v, err := vs.ReplaceVideo(ctx, id, in)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(v)
	}
	env.Printf("Replaced the video of %s of task %s with %s (%s, %s).\n", sceneName(v.SceneNumber), v.TaskID, v.FilePath, videoFormat(v), videoCheck(v))
	return nil
}

func runVideoRemove(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	scene := fs.Int("scene", 0, "the scene number; 0 is the final video")
	id, svc, err := env.parseTask(ctx, fs, args, "scene")
	if err != nil {
		return err
	}
	vs, err := env.videoService(svc)
	if err != nil {
		return err
	}
	if err := vs.RemoveVideo(ctx, id, *scene); err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(map[string]any{"task_id": id, "scene_number": *scene, "removed": true})
	}
	env.Printf("Removed the video of %s of task %s; the file is still on disk.\n", sceneName(*scene), id)
	return nil
}

func runRelink(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	folder := fs.String("folder", "", "the folder to search, with its subfolders")
	dry := fs.Bool("dry-run", false, "report what would be re-linked and change nothing")
	if _, err := env.Parse(fs, args); err != nil {
		return err
	}
	if err := env.Require(fs, "folder"); err != nil {
		return err
	}
	dir, err := filepath.Abs(*folder)
	if err != nil {
		return domain.Invalidf("folder", "Cannot make %q an absolute path: %v.", *folder, err)
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	vs, err := env.videoService(svc)
	if err != nil {
		return err
	}
	rep, err := vs.Relink(ctx, domain.RelinkRequest{Folder: dir, DryRun: *dry})
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(rep)
	}
	verb := "Re-linked"
	if rep.DryRun {
		verb = "Would re-link"
	}
	env.Printf("%d videos are missing; looked at %d video files in %s. %s %d, %d not found.\n",
		rep.Missing, rep.FilesScanned, rep.Folder, verb, len(rep.Relinked), len(rep.Unmatched))
	if len(rep.Relinked) > 0 {
		env.Printf("\n")
		tb := env.Table("TASK", "SCENE", "BY", "FROM", "TO")
		for _, r := range rep.Relinked {
			tb.Row(r.TaskID, sceneName(r.SceneNumber), r.By, r.From, r.To)
		}
		if err := tb.Flush(); err != nil {
			return err
		}
	}
	if len(rep.Unmatched) > 0 {
		env.Printf("\nNot found:\n")
		tb := env.Table("TASK", "SCENE", "FILE", "WHY")
		for _, r := range rep.Unmatched {
			tb.Row(r.TaskID, sceneName(r.SceneNumber), r.From, r.Reason)
		}
		return tb.Flush()
	}
	return nil
}

func runStorage(ctx context.Context, env *Env, args []string) error {
	if _, err := env.Parse(env.FlagSet(), args); err != nil {
		return err
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	vs, err := env.videoService(svc)
	if err != nil {
		return err
	}
	rep, err := vs.Storage(ctx)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(rep)
	}
	env.Printf("%d videos, %s on disk, %d missing.\n\nPer user:\n", rep.Videos, fmtBytes(rep.TotalBytes), rep.MissingCount)
	tb := env.Table("  USER", "SIZE", "VIDEOS", "MISSING")
	for _, u := range rep.Users {
		tb.Row("  "+u.Key, fmtBytes(u.Bytes), fmt.Sprint(u.Videos), fmt.Sprint(u.Missing))
	}
	if err := tb.Flush(); err != nil {
		return err
	}
	if len(rep.Collections) > 0 {
		env.Printf("\nPer collection (trashed tasks not counted):\n")
		tb = env.Table("  COLLECTION", "SIZE", "VIDEOS", "MISSING")
		for _, c := range rep.Collections {
			tb.Row("  "+c.Key, fmtBytes(c.Bytes), fmt.Sprint(c.Videos), fmt.Sprint(c.Missing))
		}
		if err := tb.Flush(); err != nil {
			return err
		}
	}
	if len(rep.Tasks) > 0 {
		env.Printf("\nLargest tasks:\n")
		tb = env.Table("  TASK", "USER", "SIZE", "VIDEOS", "MISSING", "PROMPT")
		for _, t := range rep.Tasks {
			tb.Row("  "+t.Key, t.Username, fmtBytes(t.Bytes), fmt.Sprint(t.Videos), fmt.Sprint(t.Missing), oneLine(t.Label, 50))
		}
		if err := tb.Flush(); err != nil {
			return err
		}
	}
	if len(rep.Missing) > 0 {
		env.Printf("\nMissing files (reelvault relink --folder DIR finds moved ones):\n")
		tb = env.Table("  TASK", "SCENE", "FILE")
		for _, m := range rep.Missing {
			tb.Row("  "+m.TaskID, sceneName(m.SceneNumber), m.FilePath)
		}
		return tb.Flush()
	}
	return nil
}

// sceneName is "scene N", or "the final video" for scene 0.
func sceneName(n int) string {
	if n == domain.FinalScene {
		return "the final video"
	}
	return fmt.Sprintf("scene %d", n)
}

// videoCheck says how a video's facts were checked against its file:
// "checked", "claimed 1920x1080, file differs in width, height", "not read".
func videoCheck(v *domain.Video) string {
	switch {
	case len(v.Mismatch) > 0:
		claim := ""
		if c := v.Claimed; c != nil {
			claim = videoFormat(&domain.Video{Width: c.Width, Height: c.Height, FPS: c.FPS})
			if c.Duration != nil {
				claim += " " + fmtSecondsPtr(c.Duration)
			}
		}
		return fmt.Sprintf("MISMATCH: claimed %s; the file differs in %s", strings.TrimSpace(claim), strings.Join(v.Mismatch, ", "))
	case v.ProbedAt == nil:
		return "not read"
	case v.ProbeError != "":
		return "unreadable"
	}
	return "checked"
}

// videoFlagSet holds the flags that describe a video file: --scene, --file
// and the facts a client may claim for it.
type videoFlagSet struct {
	fs                   *flag.FlagSet
	scene, width, height *int
	file                 *string
	duration, fps        *float64
}

// videoFlags defines --scene, --file, --duration, --width, --height and
// --fps on fs; claimed prefixes the facts' help ("claimed " or "").
func videoFlags(fs *flag.FlagSet, sceneHelp, fileHelp, claimed string) *videoFlagSet {
	return &videoFlagSet{
		fs:       fs,
		scene:    fs.Int("scene", 0, sceneHelp),
		file:     fs.String("file", "", fileHelp),
		duration: fs.Float64("duration", 0, claimed+"length in seconds"),
		width:    fs.Int("width", 0, claimed+"width in pixels"),
		height:   fs.Int("height", 0, claimed+"height in pixels"),
		fps:      fs.Float64("fps", 0, claimed+"frames per second"),
	}
}

// input is the parsed flags as a VideoInput with an absolute file path; a
// fact the user did not give stays nil.
func (v *videoFlagSet) input() (domain.VideoInput, error) {
	path, err := absPath("file", *v.file)
	if err != nil {
		return domain.VideoInput{}, err
	}
	in := domain.VideoInput{SceneNumber: *v.scene, FilePath: path}
	if isSet(v.fs, "duration") {
		in.Duration = v.duration
	}
	if isSet(v.fs, "width") {
		in.Width = v.width
	}
	if isSet(v.fs, "height") {
		in.Height = v.height
	}
	if isSet(v.fs, "fps") {
		in.FPS = v.fps
	}
	return in, nil
}
