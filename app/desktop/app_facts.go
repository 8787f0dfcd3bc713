package desktop

import "github.com/reelvault/reelvault/domain"

// errNoVideoFixes answers the video fixes when the task service has none.
var errNoVideoFixes = domain.Errorf(domain.ENOTFOUND, "Video fixes are not available with this database.")

// videos returns the task service's video fixes, if it has them.
func (a *App) videos() (domain.VideoService, error) {
	if v, ok := a.svc.Tasks.(domain.VideoService); ok {
		return v, nil
	}
	return nil, errNoVideoFixes
}

// Storage returns the disk use of the videos per user and task, and the
// missing files.
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
