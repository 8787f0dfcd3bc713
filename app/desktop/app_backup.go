package desktop

import "github.com/reelvault/reelvault/domain"

// BackupPlace is where the backups are kept and which restore "undo" would
// take back (nil: nothing to undo).
type BackupPlace struct {
	Dir  string              `json:"dir"`
	Undo *domain.LastRestore `json:"undo"`
}

// BackupPlace returns the backups folder and the restore to undo.
func (a *App) BackupPlace() (*BackupPlace, error) {
	if a.svc.Backup == nil {
		return nil, errNoBackups
	}
	dir, undo, err := a.svc.Backup.Place(a.context())
	if err != nil {
		return nil, err
	}
	return &BackupPlace{Dir: dir, Undo: undo}, nil
}

// DeleteBackup deletes a backup; the newest verified one and the one undo
// returns to are refused.
func (a *App) DeleteBackup(name string) error {
	if a.svc.Backup == nil {
		return errNoBackups
	}
	return a.svc.Backup.DeleteBackup(a.context(), name)
}

// OpenBackupsFolder shows the backups folder in the system's file manager.
func (a *App) OpenBackupsFolder() error {
	if a.svc.Backup == nil {
		return errNoBackups
	}
	dir, _, err := a.svc.Backup.Place(a.context())
	if err != nil {
		return err
	}
	return OpenFolder(dir)
}
