package crashtest_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// binPath is the reelvault binary under test, built once by TestMain.
var binPath string

// TestMain builds the real binary once for every test in the package. A
// prebuilt binary may be named with $REELVAULT_TEST_BIN instead (it must be a
// build of this tree).
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if p := os.Getenv("REELVAULT_TEST_BIN"); p != "" {
		binPath = p
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "reelvault-crashtest-bin-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "crashtest: temp dir: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binPath = filepath.Join(dir, "reelvault")
	cmd := exec.Command("go", "build", "-o", binPath, ".")
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "crashtest: go build: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}
