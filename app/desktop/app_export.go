package desktop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/reelvault/reelvault/domain"
)

// The export of a selection from the window: where a browser downloads
// GET or POST /api/v1/export, the window asks where to save with the
// system's save dialog and writes the export document from Go.

// ExportSaved is the answer of ExportTasks: where the export was written
// and how big it is; Path is "" when the dialog was cancelled.
type ExportSaved struct {
	Path  string `json:"path"`
	Bytes int64  `json:"bytes"`
}

// errNoSaver answers ExportTasks outside the desktop window.
var errNoSaver = domain.Errorf(domain.ENOTFOUND, "Saving a file is only available in the desktop window; use the Export link in a browser.")

// errNoExport answers ExportTasks without an export service.
var errNoExport = domain.Errorf(domain.ENOTFOUND, "Export is not available in this window.")

// setSaver sets the save dialog ExportTasks shows.
func (a *App) setSaver(f func(ctx context.Context, title, name string) (string, error)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.saveFile = f
}

// ExportTasks asks where to save an export of the tasks ids (at most
// domain.MaxSelection) and writes it there as JSON. A cancelled dialog
// writes nothing and answers an empty Path. The file appears whole or not
// at all: it is written next to the target and renamed over it.
func (a *App) ExportTasks(ids []string) (*ExportSaved, error) {
	if a.svc.Export == nil {
		return nil, errNoExport
	}
	f := domain.ExportFilter{TaskIDs: ids}
	if len(ids) == 0 {
		return nil, domain.Invalidf("task_ids", "Pick the tasks to export first.")
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	a.mu.Lock()
	save, ctx := a.saveFile, a.ctx
	a.mu.Unlock()
	if save == nil {
		return nil, errNoSaver
	}
	path, err := save(ctx, "Export the picked tasks", "reelvault-export.json")
	if err != nil {
		return nil, fmt.Errorf("choose where to save the export: %w", err)
	}
	if path == "" {
		return &ExportSaved{}, nil
	}
	n, err := a.writeExport(path, f)
	if err != nil {
		return nil, err
	}
	return &ExportSaved{Path: path, Bytes: n}, nil
}

// writeExport writes the export f selects to path through a temporary
// file in the same folder.
func (a *App) writeExport(path string, f domain.ExportFilter) (n int64, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".reelvault-export-*")
	if err != nil {
		return 0, domain.Errorf(domain.EINVALID, "Cannot write the export in %s: %v", filepath.Dir(path), errors.Unwrap(err))
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := a.svc.Export.Export(a.context(), tmp, f); err != nil {
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		return 0, fmt.Errorf("write the export: %w", err)
	}
	st, err := tmp.Stat()
	if err != nil {
		return 0, fmt.Errorf("write the export: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("write the export: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("write the export: %w", err)
	}
	return st.Size(), nil
}
