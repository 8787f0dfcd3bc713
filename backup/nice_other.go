//go:build !linux

package backup

// lowerPriority does nothing where threads have no priority of their own.
func lowerPriority() {}
