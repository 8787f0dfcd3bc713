//go:build !desktop && !bindings

package desktop

import "context"

// openWindow fails in a binary built without the desktop tag.
func openWindow(ctx context.Context, opts Options) error {
	return ErrNotBuilt
}

// windowBuilt reports whether this binary can open the window.
const windowBuilt = false
