package crashtest_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	// binPath is the reelvault binary under test, built once by binary.
	binPath  string
	buildErr error
	build    sync.Once
	binDir   string
)

// TestMain removes the binary built for the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binary builds the real binary once per run, on first use, so that a run
// whose -run pattern selects no test here builds nothing. A prebuilt binary
// of this tree may be named with $REELVAULT_TEST_BIN instead.
func binary(t testing.TB) string {
	t.Helper()
	build.Do(func() {
		if p := os.Getenv("REELVAULT_TEST_BIN"); p != "" {
			binPath = p
			return
		}
		binDir, buildErr = os.MkdirTemp("", "reelvault-crashtest-bin-")
		if buildErr != nil {
			return
		}
		// Readable by all: one fault test runs it as an unprivileged user.
		if buildErr = os.Chmod(binDir, 0o755); buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "reelvault")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Dir = filepath.Join("..", "..")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}
