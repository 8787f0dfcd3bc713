// Command reelvault keeps the whole history of an AI video-generation
// pipeline on the creator's own machine: a desktop window, a local HTTP API
// and a command line over one store. Run "reelvault help" for the commands.
package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"syscall"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/app/launchtrace"
)

// assets is the built frontend. A clean checkout holds only a placeholder in
// frontend/dist; `make build` builds the frontend first.
//
//go:embed all:frontend/dist
var assets embed.FS

// The build's version, commit and date (RFC 3339), set at build time with
// -ldflags "-X main.version=… -X main.commit=… -X main.buildDate=…".
var (
	version   = "dev"
	commit    = ""
	buildDate = ""
)

func main() {
	launchtrace.Mark("main")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	dist, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: embedded frontend: %v\n", err)
		os.Exit(cli.ExitError)
	}
	code := cli.Main(ctx, os.Args[1:], cli.Options{
		Version:    version,
		Commit:     commit,
		BuildDate:  buildDate,
		Assets:     dist,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		OpenWindow: cli.OpenWindow,
	})
	stop()
	os.Exit(code)
}
