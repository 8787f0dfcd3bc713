package cli_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
)

// terminal is a pseudo-terminal: the command line gets tty, the test reads
// what is drawn on it and types into it through master.
type terminal struct {
	master, tty *os.File
	mu          sync.Mutex
	drawn       bytes.Buffer
	seen        int
	done        chan struct{}
}

// openTerminal opens a pseudo-terminal for the test, or skips the test
// where the system has none.
func openTerminal(tb testing.TB) *terminal {
	tb.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		tb.Skipf("no pseudo-terminal: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		tb.Skipf("unlock the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		tb.Skipf("name the pseudo-terminal: %v", err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		tb.Skipf("open the pseudo-terminal: %v", err)
	}
	t := &terminal{master: m, tty: tty, done: make(chan struct{})}
	go func() {
		defer close(t.done)
		buf := make([]byte, 4096)
		for {
			n, err := m.Read(buf)
			t.mu.Lock()
			t.drawn.Write(buf[:n])
			t.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	tb.Cleanup(func() { t.close() })
	return t
}

// close closes both ends and returns everything drawn on the terminal.
func (t *terminal) close() string {
	t.tty.Close()
	<-t.done
	t.master.Close()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.drawn.String()
}

// typeAfter waits until prompt is drawn on the terminal after what was
// drawn when it was last called and the terminal no longer echoes (the
// command reads a passphrase), then types s as if at the keyboard.
func (t *terminal) typeAfter(tb testing.TB, prompt, s string) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		t.mu.Lock()
		drawn := t.drawn.String()[t.seen:]
		i := strings.Index(drawn, prompt)
		t.mu.Unlock()
		if i >= 0 {
			if tio, err := unix.IoctlGetTermios(int(t.tty.Fd()), unix.TCGETS); err == nil && tio.Lflag&unix.ECHO == 0 {
				t.mu.Lock()
				t.seen += i + len(prompt)
				t.mu.Unlock()
				break
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no prompt %q on the terminal; it shows %q", prompt, drawn)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := io.WriteString(t.master, s); err != nil {
		tb.Fatal(err)
	}
}

// On a terminal's stderr, an export to a file and its import draw a
// progress bar named after the command, and clear it when done; with
// --json nothing is drawn.
func TestProgressBar_Terminal(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	for i := 0; i < 3; i++ {
		r.createTask("alice", fmt.Sprintf("task %d", i))
	}
	out := filepath.Join(t.TempDir(), "tasks.json")
	term := openTerminal(t)
	r.opts = func(o *cli.Options) { o.Stderr = term.tty }
	if res := r.run("export", "--out", out); res.Code != cli.ExitOK {
		t.Fatalf("export: exit %d", res.Code)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// The import reads from a pipe that sends half, pauses, then the rest:
	// a bar of unknown size that has time to be drawn.
	pipe := filepath.Join(t.TempDir(), "pipe")
	if err := unix.Mkfifo(pipe, 0o600); err != nil {
		t.Skipf("no named pipes: %v", err)
	}
	go func() {
		w, err := os.OpenFile(pipe, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		w.Write(data[:len(data)/2])
		time.Sleep(150 * time.Millisecond)
		w.Write(data[len(data)/2:])
	}()
	fresh := newRunner(t)
	fresh.opts = r.opts
	if res := fresh.run("import", pipe); res.Code != cli.ExitOK || !strings.Contains(res.Stdout, "Imported 3 tasks") {
		t.Fatalf("import: exit %d, stdout %q", res.Code, res.Stdout)
	}
	drawn := term.close()
	for _, want := range []string{"export", "import", "\r"} {
		if !strings.Contains(drawn, want) {
			t.Fatalf("the terminal shows %q, want %q drawn", drawn, want)
		}
	}
	// The import's bar moves on as the second half arrives.
	if n := strings.Count(drawn, " import ("); n < 2 {
		t.Fatalf("the terminal shows %q: the import bar drawn %d times, want it redrawn as data arrives", drawn, n)
	}
	// Each bar is cleared when done: the drawing ends on a blanked line.
	if !strings.HasSuffix(drawn, " \r") {
		t.Fatalf("the terminal shows %q, want the bar cleared at the end", drawn)
	}

	t.Run("JSON", func(t *testing.T) {
		quiet := openTerminal(t)
		r.opts = func(o *cli.Options) { o.Stderr = quiet.tty }
		if res := r.run("--json", "export", "--out", out); res.Code != cli.ExitOK {
			t.Fatalf("export --json: exit %d", res.Code)
		}
		if drawn := quiet.close(); drawn != "" {
			t.Fatalf("--json drew %q on the terminal, want nothing", drawn)
		}
	})
}

// An encrypted destination asks for its passphrase twice on the terminal,
// without echo, and refuses two that differ, adding nothing.
func TestDestinationAdd_PassphraseOnTerminal(t *testing.T) {
	r := newRunner(t)
	disk := t.TempDir()

	t.Run("ErrDiffer", func(t *testing.T) {
		term := openTerminal(t)
		r := r.with(t)
		r.opts = func(o *cli.Options) { o.Stdin, o.Stderr = term.tty, term.tty }
		ch := make(chan result)
		go func() { ch <- r.run("destination", "add", "usb", disk, "--encrypt") }()
		term.typeAfter(t, "(it cannot be recovered): ", "first secret\n")
		term.typeAfter(t, "The same passphrase again: ", "second secret\n")
		res := <-ch
		drawn := term.close()
		if res.Code != cli.ExitError || !strings.Contains(drawn, "The two passphrases differ; nothing was added.") {
			t.Fatalf("exit %d, terminal %q, want the passphrases refused", res.Code, drawn)
		}
		if strings.Contains(drawn, "secret") {
			t.Fatalf("the passphrase was echoed: %q", drawn)
		}
		r.opts = nil
		ds := decode[[]domain.DestinationStatus](t, r.ok("--json", "destination", "list"))
		for _, d := range ds {
			if d.Name == "usb" {
				t.Fatalf("a refused destination was added: %+v", d)
			}
		}
	})

	term := openTerminal(t)
	r.opts = func(o *cli.Options) { o.Stdin, o.Stderr = term.tty, term.tty }
	ch := make(chan result)
	go func() { ch <- r.run("destination", "add", "usb", disk, "--encrypt") }()
	term.typeAfter(t, "(it cannot be recovered): ", "correct horse battery\n")
	term.typeAfter(t, "The same passphrase again: ", "correct horse battery\n")
	if res := <-ch; res.Code != cli.ExitOK || !strings.Contains(res.Stdout, "Its backups are encrypted") {
		t.Fatalf("exit %d, stdout %q, terminal %q", res.Code, res.Stdout, term.close())
	}
	term.close()
	r.opts = nil
	ds := decode[[]domain.DestinationStatus](t, r.ok("--json", "destination", "list"))
	if len(ds) != 2 || ds[1].Name != "usb" || !ds[1].Encrypted {
		t.Fatalf("destinations=%+v, want usb encrypted", ds)
	}
	// The passphrase typed is the one the sets are encrypted with.
	r.env[cli.EnvPassphrase] = "correct horse battery"
	if b := decode[domain.Backup](t, r.ok("--json", "backup", "--to", "usb")); !b.Encrypted {
		t.Fatalf("backup --to usb=%+v, want encrypted", b)
	}
	r.env[cli.EnvPassphrase] = "not the passphrase"
	if res := r.run("drill", "--destination", "usb"); res.Code == cli.ExitOK {
		t.Fatalf("drill with another passphrase succeeded: %s", res.Stdout)
	}
}

// On a terminal, a backup and a restore draw their phases as a bar, and
// an export to a standard output that is not the terminal draws its bar on
// stderr while the export itself goes whole to standard output.
func TestProgressBar_BackupRestoreExport(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	kept := r.createTask("alice", "kept in the backup")

	drawnBy := func(args ...string) (result, string) {
		t.Helper()
		term := openTerminal(t)
		r.opts = func(o *cli.Options) { o.Stderr = term.tty }
		defer func() { r.opts = nil }()
		res := r.run(args...)
		if res.Code != cli.ExitOK {
			t.Fatalf("reelvault %s: exit %d, terminal %q", strings.Join(args, " "), res.Code, term.close())
		}
		return res, term.close()
	}

	// The bar is drawn with its first phase and cleared at the end.
	_, drawn := drawnBy("backup")
	if !strings.HasPrefix(drawn, "\rcopy ") || !strings.Contains(drawn, "%") || !strings.HasSuffix(drawn, " \r") {
		t.Fatalf("backup on a terminal drew %q, want the copy phase's bar, then cleared", drawn)
	}
	list := decode[[]domain.Backup](t, r.ok("--json", "backups"))
	if len(list) != 1 {
		t.Fatalf("backups=%+v, want one", list)
	}

	later := r.createTask("alice", "made after the backup")
	_, drawn = drawnBy("restore", list[0].Name, "--yes")
	if !strings.HasPrefix(drawn, "\rrestore ") || !strings.HasSuffix(drawn, " \r") {
		t.Fatalf("restore on a terminal drew %q, want the restore phase's bar, then cleared", drawn)
	}
	if ids := r.listIDs(); len(ids) != 1 || ids[0] != kept {
		t.Fatalf("after the restore: tasks %q, want only %s (not %s)", ids, kept, later)
	}

	res, drawn := drawnBy("export")
	if !strings.Contains(drawn, "export") {
		t.Fatalf("export to a pipe drew %q on the terminal, want its bar", drawn)
	}
	if !strings.Contains(res.Stdout, kept) || strings.Contains(res.Stdout, "\r") {
		t.Fatalf("export wrote %q to standard output, want the task and no bar", res.Stdout)
	}
}
