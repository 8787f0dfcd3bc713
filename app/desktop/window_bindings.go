//go:build bindings

package desktop

import (
	"context"
	"fmt"
	"os"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
)

// `wails build` compiles the program with the bindings tag and runs it to
// write frontend/wailsjs from the bound struct. That binary has no other
// use, so it generates the bindings before main runs (main would parse the
// command line and open the store) and exits.
func init() {
	if err := wails.Run(&options.App{Bind: []any{&App{}}}); err != nil {
		fmt.Fprintf(os.Stderr, "generate bindings: %v\n", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// openWindow is never reached in the bindings binary.
func openWindow(ctx context.Context, opts Options) error {
	return ErrNotBuilt
}

// windowBuilt reports whether this binary can open the window.
const windowBuilt = false
