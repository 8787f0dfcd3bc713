package desktop

import "github.com/reelvault/reelvault/domain"

// destinations returns the backup service's destinations part, or an error.
func (a *App) destinations() (domain.DestinationService, error) {
	d, ok := a.svc.Backup.(domain.DestinationService)
	if !ok {
		return nil, errNoBackups
	}
	return d, nil
}

// ListDestinations returns the backup destinations: the local backups
// folder and the folders added, connected or unplugged.
func (a *App) ListDestinations() ([]domain.DestinationStatus, error) {
	d, err := a.destinations()
	if err != nil {
		return nil, err
	}
	return d.Destinations(a.context())
}

// DestinationInput is a destination to add, from the window.
type DestinationInput struct {
	Name       string `json:"name"`
	Dir        string `json:"dir"`
	Cron       string `json:"cron"`
	Keep       int    `json:"keep"`
	Encrypt    bool   `json:"encrypt"`
	Passphrase string `json:"passphrase"`
}

// AddDestination adds a folder that receives backup sets on its own schedule.
func (a *App) AddDestination(in DestinationInput) (*domain.DestinationStatus, error) {
	d, err := a.destinations()
	if err != nil {
		return nil, err
	}
	return d.AddDestination(a.context(), domain.Destination{Name: in.Name, Dir: in.Dir, Cron: in.Cron, Keep: in.Keep, Encrypted: in.Encrypt}, in.Passphrase)
}

// RemoveDestination forgets a destination; its backups stay.
func (a *App) RemoveDestination(name string) error {
	d, err := a.destinations()
	if err != nil {
		return err
	}
	return d.RemoveDestination(a.context(), name)
}

// BackupTo takes a manual backup set into destination to ("" for the local
// folder), without the video files when dbOnly.
func (a *App) BackupTo(to string, dbOnly bool) (*domain.Backup, error) {
	d, err := a.destinations()
	if err != nil {
		return nil, err
	}
	return d.BackupTo(a.context(), to, dbOnly)
}

// RestoreSet restores a backup set of any connected destination with its
// video files (passphrase for an encrypted one, another folder, or the
// database alone).
func (a *App) RestoreSet(name string, opts domain.RestoreRequest) (*domain.RestoreResult, error) {
	d, err := a.destinations()
	if err != nil {
		return nil, err
	}
	return d.RestoreSet(a.context(), name, opts)
}

// DrillSet proves a backup set of any destination restorable now (its
// newest when req names none; an encrypted one with its passphrase); a
// failed drill resolves with its result (ok false).
func (a *App) DrillSet(req domain.DrillRequest) (*domain.DrillResult, error) {
	d, err := a.destinations()
	if err != nil {
		return nil, err
	}
	res, err := d.DrillSet(a.context(), req)
	if err != nil && res == nil {
		return nil, err
	}
	return res, nil
}
