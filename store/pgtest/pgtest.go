// Package pgtest starts a throwaway PostgreSQL cluster for tests.
//
// The cluster belongs to the test process: initdb writes it into a new temp
// folder, the postmaster listens on 127.0.0.1 at a free port (and on a socket
// in that folder), and Stop shuts it down and removes the folder. Nothing is
// left behind and no server that happens to be running on the machine is
// ever used. If the test process is killed, the kernel signals the postmaster
// (Pdeathsig), which then shuts down on its own.
//
// Tests call NewDatabase for a fresh, empty database; the package's TestMain
// calls Main so that the shared cluster is stopped after the last test.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// RequireEnv names the environment variable that turns a missing PostgreSQL
// installation from a skip into a test failure. `make test-postgres` sets it,
// so CI cannot silently skip the PostgreSQL suite.
const RequireEnv = "REELVAULT_REQUIRE_POSTGRES"

// DurableEnv names the environment variable that keeps fsync on in the
// cluster (benchmarks set it, so they measure durable commits). Otherwise
// the throwaway cluster runs with fsync=off: it is deleted at the end and
// nothing in it has to survive a crash.
const DurableEnv = "REELVAULT_PG_DURABLE"

// BinEnv names the environment variable that points at a folder with
// initdb and postgres, overriding the search under /usr/lib/postgresql.
const BinEnv = "REELVAULT_PG_BIN"

// ErrNoPostgres is returned by Start when no PostgreSQL binaries are found.
var ErrNoPostgres = errors.New("postgresql server binaries (initdb, postgres) not found; install Debian's postgresql package or set " + BinEnv)

// Cluster is a running throwaway PostgreSQL cluster.
type Cluster struct {
	// Dir holds the data folder and the socket; Stop removes it.
	Dir string
	// Port is the TCP port on 127.0.0.1.
	Port int

	cmd     *exec.Cmd
	done    chan error
	seq     atomic.Int64
	once    sync.Once
	onceErr error
}

// FindBin returns the folder that holds initdb and postgres, or ErrNoPostgres.
func FindBin() (string, error) {
	if dir := os.Getenv(BinEnv); dir != "" {
		if ok(dir) {
			return dir, nil
		}
		return "", fmt.Errorf("%s=%s: %w", BinEnv, dir, ErrNoPostgres)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// Newest major version first.
	sort.Slice(dirs, func(i, j int) bool { return majorOf(dirs[i]) > majorOf(dirs[j]) })
	for _, dir := range dirs {
		if ok(dir) {
			return dir, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil && ok(filepath.Dir(p)) {
		return filepath.Dir(p), nil
	}
	return "", ErrNoPostgres
}

func ok(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.IsDir() {
			return false
		}
	}
	return true
}

func majorOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// Options tune StartWith.
type Options struct {
	// Durable keeps fsync on, as a real server runs; otherwise the cluster
	// skips fsync (its data is thrown away anyway).
	Durable bool
}

// Start creates and starts a new cluster, durable when DurableEnv is set.
func Start(ctx context.Context) (*Cluster, error) {
	return StartWith(ctx, Options{Durable: os.Getenv(DurableEnv) != ""})
}

// StartWith creates and starts a new cluster. initdb refuses to run as
// root, so when the process is root the cluster runs as the "postgres" user.
func StartWith(ctx context.Context, opts Options) (c *Cluster, err error) {
	bin, err := FindBin()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "reelvault-pg-")
	if err != nil {
		return nil, fmt.Errorf("create cluster folder: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("chown cluster folder: %w", err)
		}
	}
	data := filepath.Join(dir, "data")

	// --no-sync only skips flushing the fresh catalog files: the cluster is
	// thrown away if the machine crashes.
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"),
		"-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}

	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, fmt.Errorf("create log: %w", err)
	}
	defer logFile.Close() // the child keeps its own descriptor
	cmd := exec.Command(filepath.Join(bin, "postgres"),
		"-D", data,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+dir,
		"-c", "max_connections=300",
		"-c", "shared_buffers=128MB",
		"-c", "log_min_messages=warning",
		"-c", "fsync="+onOff(opts.Durable),
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// SIGINT is PostgreSQL's fast shutdown: if the test process dies, the
	// postmaster rolls back open transactions and exits.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGINT, Setpgid: true}
	if err := onLastingThread(cmd.Start); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	c = &Cluster{Dir: dir, Port: port, cmd: cmd, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()

	if err := c.waitReady(ctx); err != nil {
		c.Stop()
		log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
		return nil, fmt.Errorf("%w: %s", err, log)
	}
	return c, nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// credential returns the user to run PostgreSQL as: "postgres" when the
// process is root, nil (the current user) otherwise.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs the postgres user: %w", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls until the server accepts connections.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", c.URL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	for {
		pingCtx, pcancel := context.WithTimeout(ctx, time.Second)
		err := db.PingContext(pingCtx)
		pcancel()
		if err == nil {
			return nil
		}
		select {
		case err := <-c.done:
			return fmt.Errorf("postgres exited during startup: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("postgres did not start: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// URL returns a connection URL for database name on the cluster.
func (c *Cluster) URL(name string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port)),
		Path:     "/" + name,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// SharedDatabase is the database on the cluster that holds one schema per
// NewSchema call.
const SharedDatabase = "reelvault_test"

// NewSchema creates a new empty schema, whose name starts with prefix, in
// SharedDatabase and returns a URL whose connections use it (search_path).
// A schema is much cheaper than a database (CREATE DATABASE copies a
// template), and the store does not see the difference. Extensions live in
// the database's public schema, which stays on the search path.
func (c *Cluster) NewSchema(ctx context.Context, prefix string) (string, error) {
	c.once.Do(func() {
		db, err := sql.Open("pgx", c.URL("postgres"))
		if err != nil {
			c.onceErr = err
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, `CREATE DATABASE `+SharedDatabase+` TEMPLATE template0 ENCODING 'UTF8'`); err != nil {
			c.onceErr = fmt.Errorf("create database %s: %w", SharedDatabase, err)
			return
		}
		shared, err := sql.Open("pgx", c.URL(SharedDatabase))
		if err != nil {
			c.onceErr = err
			return
		}
		defer shared.Close()
		if _, err := shared.ExecContext(ctx, `CREATE EXTENSION pg_trgm SCHEMA public`); err != nil {
			c.onceErr = fmt.Errorf("create extension pg_trgm: %w", err)
		}
	})
	if c.onceErr != nil {
		return "", c.onceErr
	}
	name := fmt.Sprintf("%s_%d", sanitize(prefix), c.seq.Add(1))
	db, err := sql.Open("pgx", c.URL(SharedDatabase))
	if err != nil {
		return "", err
	}
	defer db.Close()
	// The name is built from [a-z0-9_] only, so quoting it is safe.
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA "`+name+`"`); err != nil {
		return "", fmt.Errorf("create schema %s: %w", name, err)
	}
	u, _ := url.Parse(c.URL(SharedDatabase))
	q := u.Query()
	q.Set("search_path", name+",public")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// CreateDatabase creates a new empty database with a unique name that
// starts with prefix and returns its URL.
func (c *Cluster) CreateDatabase(ctx context.Context, prefix string) (string, error) {
	name := fmt.Sprintf("%s_%d", sanitize(prefix), c.seq.Add(1))
	db, err := sql.Open("pgx", c.URL("postgres"))
	if err != nil {
		return "", err
	}
	defer db.Close()
	// The name is built from [a-z0-9_] only, so quoting it is safe.
	if _, err := db.ExecContext(ctx, `CREATE DATABASE "`+name+`" TEMPLATE template0 ENCODING 'UTF8'`); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return c.URL(name), nil
}

// sanitize turns a test name into a short lowercase identifier.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	if b.Len() == 0 || (b.String()[0] >= '0' && b.String()[0] <= '9') {
		return "t_" + b.String()
	}
	return b.String()
}

// Stop shuts the server down and removes its folder. It uses immediate
// shutdown (SIGQUIT): the data is thrown away, so there is no point in the
// shutdown checkpoint.
func (c *Cluster) Stop() error {
	var err error
	if c.cmd != nil && c.cmd.Process != nil {
		_ = c.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-c.done:
		case <-time.After(20 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.done
			err = errors.New("postgres did not stop in time; killed")
		}
	}
	rmErr := os.RemoveAll(c.Dir)
	if rmErr != nil {
		// A backend may still be unlinking its files: try once more.
		time.Sleep(200 * time.Millisecond)
		rmErr = os.RemoveAll(c.Dir)
	}
	if rmErr != nil && err == nil {
		err = fmt.Errorf("remove cluster folder: %w", rmErr)
	}
	return err
}

var shared struct {
	mu      sync.Mutex
	cluster *Cluster
	err     error
	tried   bool
	tracked []*Cluster
}

// Track makes Main stop c after the tests, like the shared cluster.
func Track(c *Cluster) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	shared.tracked = append(shared.tracked, c)
}

// Shared returns the process's shared cluster, starting it on first use.
// Main stops it.
func Shared() (*Cluster, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.tried {
		shared.tried = true
		shared.cluster, shared.err = Start(context.Background())
	}
	return shared.cluster, shared.err
}

// Main runs the tests of a package and then stops the shared cluster if one
// was started. Use it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	for _, c := range append(shared.tracked, shared.cluster) {
		if c == nil {
			continue
		}
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	shared.cluster, shared.tracked = nil, nil
	return code
}

// Required reports whether RequireEnv is set, so a missing PostgreSQL
// installation must fail rather than skip.
func Required() bool { return os.Getenv(RequireEnv) != "" }

// NewDatabase returns the URL of a fresh, empty database on the shared
// cluster: a schema of its own (see NewSchema). Without PostgreSQL binaries
// it skips the test, or fails it when RequireEnv is set.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	c := MustShared(tb)
	u, err := c.NewSchema(context.Background(), tb.Name())
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// MustShared returns the shared cluster, skipping the test when PostgreSQL
// is not installed (failing it when RequireEnv is set).
func MustShared(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := Shared()
	if errors.Is(err, ErrNoPostgres) && !Required() {
		tb.Skipf("skipping PostgreSQL test: %v (set %s=1 to make this a failure)", err, RequireEnv)
	} else if err != nil {
		tb.Fatalf("start PostgreSQL test cluster: %v", err)
	}
	return c
}

// NewSeparateDatabase returns the URL of a new database of its own on the
// shared cluster, for a test that needs a whole database.
func NewSeparateDatabase(tb testing.TB) string {
	tb.Helper()
	c := MustShared(tb)
	u, err := c.CreateDatabase(context.Background(), tb.Name())
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// The thread that starts the postmasters. Pdeathsig fires when the thread
// that forked the child exits, not the process, and Go discards a thread
// whose goroutine ends locked to it (as a backup's low-priority check
// does): app/cli's tests, which run backups in process, lost their shared
// cluster half-way ("connection refused") until the postmaster was forked
// from a thread that never ends.
var (
	spawnOnce sync.Once
	spawn     chan func()
)

// onLastingThread runs fn on an OS thread that lives as long as the
// process, and returns its error.
func onLastingThread(fn func() error) error {
	spawnOnce.Do(func() {
		spawn = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked: the thread outlives every test
			for f := range spawn {
				f()
			}
		}()
	})
	errc := make(chan error, 1)
	spawn <- func() { errc <- fn() }
	return <-errc
}
