package desktop

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
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

// ValidRoute reports whether route can be handed to the window: empty, or a
// hash route of the UI ("#/history", "#/task/ID") made of URL-safe
// characters only, so it travels on one line and never needs quoting.
func ValidRoute(route string) bool {
	if route == "" {
		return true
	}
	if len(route) > 200 || !strings.HasPrefix(route, "#/") {
		return false
	}
	for _, c := range route[2:] {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./%~", c)
		if !ok {
			return false
		}
	}
	return true
}

// RouteFromArgs returns the route a command line asks the window for:
// "open" shows the history, "open TASK_ID" the task; "" otherwise. Outside
// Linux a later launch reaches the open window only as its arguments.
func RouteFromArgs(args []string) string {
	for i, a := range args {
		if a != "open" {
			continue
		}
		for _, next := range args[i+1:] {
			if !strings.HasPrefix(next, "-") {
				if r := "#/task/" + url.PathEscape(next); ValidRoute(r) {
					return r
				}
				return ""
			}
		}
		return "#/history"
	}
	return ""
}
