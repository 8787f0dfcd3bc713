package backup

import (
	"bytes"
	"context"
	"encoding/binary"
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
	if err := os.WriteFile(plain, fakeDatabase(256), 0o600); err != nil {
		t.Fatal(err)
	}
	zst := filepath.Join(dir, "plain.db.zst")
	if _, _, err := compressFile(plain, zst, nil); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{zst, plain} {
		err := expandFile(context.Background(), src, "/dev/full")
		if !errors.Is(err, syscall.ENOSPC) || domain.ErrorCode(err) == domain.EINVALID || strings.Contains(err.Error(), "damaged") {
			t.Fatalf("expand %s onto a full disk: %v; want the ENOSPC write error, not a damaged backup", filepath.Base(src), err)
		}
	}
}

// fakeDatabase returns a file of pages 4 KiB pages that starts with a valid
// SQLite header promising exactly that many pages; the rest is filler.
func fakeDatabase(pages int) []byte {
	b := bytes.Repeat([]byte("reelvault "), pages*4096/10+1)[:pages*4096]
	copy(b, sqliteMagic)
	binary.BigEndian.PutUint16(b[16:18], 4096)
	binary.BigEndian.PutUint32(b[24:28], 7)
	binary.BigEndian.PutUint32(b[28:32], uint32(pages))
	binary.BigEndian.PutUint32(b[92:96], 7)
	return b
}
