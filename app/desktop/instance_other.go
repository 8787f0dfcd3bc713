//go:build !linux

package desktop

// Instance is the single-instance lock of a data dir. Outside Linux, Wails'
// own SingleInstanceLock (a file lock on macOS, a mutex on Windows) does the
// work, so this one holds nothing.
type Instance struct{}

// AcquireInstance returns an Instance that holds nothing; see Instance.
// The window reads a later launch's route from its arguments
// (RouteFromArgs).
func AcquireInstance(dataDir, route string, show func(route string)) (*Instance, error) {
	return &Instance{}, nil
}

// Close releases the lock.
func (i *Instance) Close() error { return nil }
