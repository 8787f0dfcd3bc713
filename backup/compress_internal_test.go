package backup

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// A backup that cannot be expanded because the disk is full is not called
// damaged: the error is the write's (ENOSPC), not EINVALID. /dev/full fails
// every write with ENOSPC. Found by app/crashtest's TestFault_RestoreDiskFull,
// where a full disk made a good backup look corrupt.
func TestExpandFile_DiskFull(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.db")
	if err := os.WriteFile(plain, []byte(strings.Repeat("reelvault ", 100000)), 0o600); err != nil {
		t.Fatal(err)
	}
	zst := filepath.Join(dir, "plain.db.zst")
	if _, _, err := compressFile(plain, zst); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{zst, plain} {
		err := expandFile(src, "/dev/full")
		if !errors.Is(err, syscall.ENOSPC) || domain.ErrorCode(err) == domain.EINVALID || strings.Contains(err.Error(), "damaged") {
			t.Fatalf("expand %s onto a full disk: %v; want the ENOSPC write error, not a damaged backup", filepath.Base(src), err)
		}
	}
}
