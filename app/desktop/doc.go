// Package desktop is Reelvault's desktop window: a Wails v2 webview showing
// the frontend, with the bound App whose methods the UI calls, live
// notifications forwarded as Wails events, and the local HTTP API served on
// loopback while the window is open.
//
// Everything but Run builds without cgo or build tags, so the bindings, the
// error shape, the event forwarding, the window state and the single-instance
// lock are tested with plain `go test`. Run itself needs the `desktop` tag
// (set by `wails build`, see the Makefile's build target); a binary built
// without it returns ErrNotBuilt.
package desktop
