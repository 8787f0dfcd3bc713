package safefile

// SetProcFD points Open at another /proc/self/fd (a missing one takes the
// fallback of systems without it) and returns a function that restores it.
func SetProcFD(dir string) (restore func()) {
	old := procFD
	procFD = dir
	return func() { procFD = old }
}

// SetOpenedHook runs hook between Open's open and its checks.
func SetOpenedHook(hook func(path string)) (restore func()) {
	testHookOpened = hook
	return func() { testHookOpened = nil }
}
