package backup

import (
	"bytes"
	"compress/gzip"
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

// expandFile copies a plain, zstd or gzip database whole, and refuses what
// is not one as EINVALID naming the file, with a reason: a missing file is
// not found, a FIFO is no regular file, a damaged stream or header and a
// truncated file are refused, and a cancelled copy stops.
func TestExpandFile_Refusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := fakeDatabase(8)
	write := func(name string, data []byte) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gz := func(data []byte) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write(data)
		w.Close()
		return b.Bytes()
	}
	plain := write("plain.db", db)
	zst := filepath.Join(dir, "plain.db.zst")
	if _, _, err := compressFile(plain, zst, nil); err != nil {
		t.Fatal(err)
	}
	zdata, err := os.ReadFile(zst)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Gzip", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "out.db")
		if err := expandFile(ctx, write("plain.db.gz", gz(db)), dst); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(dst); !bytes.Equal(got, db) {
			t.Fatalf("expanded %d bytes, want the %d of the database", len(got), len(db))
		}
	})

	badPageSize := bytes.Clone(db)
	binary.BigEndian.PutUint16(badPageSize[16:18], 1000)
	noPages := bytes.Clone(db)
	binary.BigEndian.PutUint32(noPages[28:32], 0)
	fifo := filepath.Join(dir, "fifo.db")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, src, code, want string
	}{
		{"Missing", filepath.Join(dir, "nope.db"), domain.ENOTFOUND, "does not exist"},
		{"FIFO", fifo, domain.EINVALID, "is not a regular file"},
		{"BadGzip", write("bad.gz", append([]byte{0x1f, 0x8b, 0x08}, bytes.Repeat([]byte{0xff}, 20)...)), domain.EINVALID, "not a valid gzip file"},
		{"TruncatedZstd", write("cut.zst", zdata[:len(zdata)/2]), domain.EINVALID, "cannot be decompressed"},
		{"TruncatedPlain", write("cut.db", db[:len(db)-4096]), domain.EINVALID, "is truncated"},
		{"NotSQLite", write("text.db", []byte(strings.Repeat("text ", 100))), domain.EINVALID, "is not a SQLite database"},
		{"PageSize", write("pagesize.db", badPageSize), domain.EINVALID, "damaged header (page size 1000)"},
		{"NoPageCount", write("nopages.db", noPages), domain.EINVALID, "without a valid page count"},
	} {
		t.Run("Err"+tt.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "out.db")
			err := expandFile(ctx, tt.src, dst)
			if got := domain.ErrorCode(err); got != tt.code || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err=%v (code %q), want %s saying %q", err, got, tt.code, tt.want)
			}
			if tt.code == domain.EINVALID && domain.ErrorField(err) != "file" {
				t.Fatalf("field=%q, want file", domain.ErrorField(err))
			}
		})
	}

	t.Run("ErrCancelled", func(t *testing.T) {
		big := write("big.db", fakeDatabase(4096))
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := expandFile(cctx, big, filepath.Join(t.TempDir(), "out.db"))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err=%v, want the cancellation", err)
		}
	})

	t.Run("ErrCompressMissing", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out.zst")
		if _, _, err := compressFile(filepath.Join(dir, "nope.db"), out, nil); err == nil || !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("compress of a missing file: %v, want not exist", err)
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("a failed compression left %s", out)
		}
		if _, _, err := compressFile(plain, filepath.Join(dir, "no", "such", "dir.zst"), nil); err == nil {
			t.Fatal("compress into a missing folder succeeded")
		}
	})
}
