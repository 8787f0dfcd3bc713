package cli

import (
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/reelvault/reelvault/domain"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// showsProgress reports whether long commands draw a progress bar: only on
// a terminal's stderr and never with --json, so scripts and logs see none.
func (env *Env) showsProgress() bool {
	return !env.Config.JSON && isTerminal(env.Stderr)
}

// bar is a progress bar on stderr, or nothing: a nil *bar ignores every call.
type bar struct {
	pb *progressbar.ProgressBar
}

// newBar returns a bar described by desc over total units (bytes when
// bytes is set; -1 when the total is unknown), or nil when progress is not
// shown (see showsProgress).
func (env *Env) newBar(desc string, total int64, bytes bool) *bar {
	if !env.showsProgress() {
		return nil
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(env.Stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetPredictTime(total > 0),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(65_000_000), // 65 ms: a terminal need not redraw more often
	}
	if bytes {
		opts = append(opts, progressbar.OptionShowBytes(true))
	} else {
		opts = append(opts, progressbar.OptionShowCount())
	}
	if total < 0 {
		opts = append(opts, progressbar.OptionSpinnerType(14))
	}
	return &bar{pb: progressbar.NewOptions64(total, opts...)}
}

// add moves the bar on by n units.
func (b *bar) add(n int64) {
	if b != nil {
		b.pb.Add64(n)
	}
}

// finish clears the bar from the terminal.
func (b *bar) finish() {
	if b != nil {
		b.pb.Finish()
	}
}

// reader counts what passes through it on b.
func (b *bar) reader(r io.Reader) io.Reader {
	if b == nil {
		return r
	}
	return &countingReader{r: r, b: b}
}

// writer counts what passes through it on b.
func (b *bar) writer(w io.Writer) io.Writer {
	if b == nil {
		return w
	}
	return &countingWriter{w: w, b: b}
}

type countingReader struct {
	r io.Reader
	b *bar
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.b.add(int64(n))
	return n, err
}

type countingWriter struct {
	w io.Writer
	b *bar
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.b.add(int64(n))
	return n, err
}

// terminalProgress is env.progress on a terminal and nothing elsewhere, for
// commands whose output must stay clean in scripts (restore).
func (env *Env) terminalProgress() (func(domain.BackupProgress), func()) {
	if !env.showsProgress() {
		return nil, func() {}
	}
	return env.progress()
}
