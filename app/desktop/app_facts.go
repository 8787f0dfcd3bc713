package desktop

import (
	"context"
	"fmt"

	"github.com/reelvault/reelvault/domain"
)

// errNoVideoFixes answers the video fixes when the task service has none.
var errNoVideoFixes = domain.Errorf(domain.ENOTFOUND, "Video fixes are not available with this database.")

// videos returns the task service's video fixes, if it has them.
func (a *App) videos() (domain.VideoService, error) {
	if v, ok := a.svc.Tasks.(domain.VideoService); ok {
		return v, nil
	}
	return nil, errNoVideoFixes
}

// Storage returns the disk use of the videos per user, collection and
// task, and the missing files.
func (a *App) Storage() (*domain.StorageReport, error) {
	v, err := a.videos()
	if err != nil {
		return nil, err
	}
	return v.Storage(a.context())
}

// Relink finds moved video files in a folder by size and hash and re-links
// them; a dry run only reports.
func (a *App) Relink(folder string, dryRun bool) (*domain.RelinkReport, error) {
	v, err := a.videos()
	if err != nil {
		return nil, err
	}
	return v.Relink(a.context(), domain.RelinkRequest{Folder: folder, DryRun: dryRun})
}

// RemoveVideo unregisters a scene's video (scene 0: the final video); the
// file stays on disk.
func (a *App) RemoveVideo(taskID string, scene int) error {
	v, err := a.videos()
	if err != nil {
		return err
	}
	return v.RemoveVideo(a.context(), taskID, scene)
}

// VideoFix is a replacement file for a scene's video: the body of PUT
// /api/v1/tasks/{task_id}/videos/{scene}. Claimed facts are optional; the
// file's own are probed.
type VideoFix struct {
	FilePath string   `json:"file_path"`
	Duration *float64 `json:"duration,omitempty"`
	Width    *int     `json:"width,omitempty"`
	Height   *int     `json:"height,omitempty"`
	FPS      *float64 `json:"fps,omitempty"`
}

// ReplaceVideo registers another file for a scene that has a video (scene
// 0: the final video) and returns the new video with its probed facts.
func (a *App) ReplaceVideo(taskID string, scene int, in VideoFix) (*domain.Video, error) {
	v, err := a.videos()
	if err != nil {
		return nil, err
	}
	return v.ReplaceVideo(a.context(), taskID, domain.VideoInput{
		SceneNumber: scene, FilePath: in.FilePath, Duration: in.Duration, Width: in.Width, Height: in.Height, FPS: in.FPS})
}

// errNoChooser answers ChooseVideoFile outside the desktop window.
var errNoChooser = domain.Errorf(domain.ENOTFOUND, "Choosing a file is only available in the desktop window; type the file's path instead.")

// setChooser sets the open-file dialog ChooseVideoFile shows.
func (a *App) setChooser(f func(ctx context.Context, title string) (string, error)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.chooseFile = f
}

// ChooseVideoFile shows the system's open-file dialog and returns the
// chosen video file's path, or "" when the dialog was cancelled.
func (a *App) ChooseVideoFile() (string, error) {
	a.mu.Lock()
	choose, ctx := a.chooseFile, a.ctx
	a.mu.Unlock()
	if choose == nil {
		return "", errNoChooser
	}
	path, err := choose(ctx, "Choose a video file")
	if err != nil {
		return "", fmt.Errorf("choose a video file: %w", err)
	}
	return path, nil
}
