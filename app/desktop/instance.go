package desktop

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
)

// ErrAlreadyRunning is returned by AcquireInstance when another process has
// the window open for the same data dir; that window was asked to come to
// the front.
var ErrAlreadyRunning = errors.New("reelvault is already open for this data dir")

// InstanceID returns the identifier of the window for dataDir: the same
// directory, however it is spelled, gives the same ID. It names the
// single-instance lock (ours and Wails' own).
func InstanceID(dataDir string) string {
	p, err := filepath.Abs(dataDir)
	if err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
	} else {
		p = filepath.Clean(dataDir)
	}
	sum := sha256.Sum256([]byte(p))
	return "reelvault-" + hex.EncodeToString(sum[:8])
}
