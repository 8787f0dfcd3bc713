package backup_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
)

// sqliteHeader returns a 100-byte SQLite header of pages 4 KiB pages with a
// valid in-header page count.
func sqliteHeader(pages uint32) []byte {
	h := make([]byte, 100)
	copy(h, "SQLite format 3\x00")
	binary.BigEndian.PutUint16(h[16:18], 4096)
	binary.BigEndian.PutUint32(h[24:28], 1)
	binary.BigEndian.PutUint32(h[28:32], pages)
	binary.BigEndian.PutUint32(h[92:96], 1)
	return h
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// writeBomb writes a zstd file that decompresses to head followed by n zero
// bytes (1 GiB of zeros compresses to about 40 KB).
func writeBomb(t *testing.T, path string, head []byte, n int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc, err := zstd.NewWriter(f, zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := enc.Write(head); err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(enc, zeros{}, n); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
}

// watchStaging records the largest size the restore's staged files beside
// the database reach until stop is called.
func watchStaging(dbPath string) (stop func() int64) {
	var biggest atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		pattern := filepath.Join(filepath.Dir(dbPath), "."+filepath.Base(dbPath)+".restore-*")
		for {
			matches, _ := filepath.Glob(pattern)
			for _, p := range matches {
				if fi, err := os.Stat(p); err == nil && fi.Size() > biggest.Load() {
					biggest.Store(fi.Size())
				}
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return func() int64 {
		close(done)
		wg.Wait()
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dbPath), "."+filepath.Base(dbPath)+".restore-*")); len(left) > 0 {
			return -1
		}
		return biggest.Load()
	}
}

// A restore never trusts a file before it has seen it: a decompression bomb,
// /dev/zero, a FIFO and a file that is not SQLite are refused promptly, with
// EINVALID, without writing more than the header promises (plus 1 MiB) beside
// the live database, and leave nothing staged; the live data is untouched.
func TestManager_Restore_Bombs(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 2)
	dir := t.TempDir()

	zeroBomb := filepath.Join(dir, "zeros.db.zst")
	writeBomb(t, zeroBomb, nil, 1<<30)
	headBomb := filepath.Join(dir, "onepage.db.zst")
	writeBomb(t, headBomb, sqliteHeader(1), 1<<30)
	if fi, _ := os.Stat(headBomb); fi.Size() > 1<<20 {
		t.Fatalf("the bomb is %d bytes; want a small file", fi.Size())
	}
	fifo := filepath.Join(dir, "pipe.db")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(dir, "notes.db")
	if err := os.WriteFile(text, []byte(strings.Repeat("not a database\n", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, source, message string
	}{
		{"ZerosBomb", zeroBomb, "not a SQLite database"},
		{"HeaderBomb", headBomb, "more data than its header promises"},
		{"DevZero", "/dev/zero", "not a regular file"},
		{"FIFO", fifo, "not a regular file"},
		{"NotSQLite", text, "not a SQLite database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := FileSum(t, db)
			stop := watchStaging(db.Path)
			start := time.Now()
			_, err := m.Restore(ctx, tt.source, nil)
			took := time.Since(start)
			biggest := stop()
			assertCode(t, err, domain.EINVALID)
			if msg := domain.ErrorMessage(err); !strings.Contains(msg, tt.message) {
				t.Fatalf("message=%q, want it to contain %q", msg, tt.message)
			}
			if took > 10*time.Second {
				t.Fatalf("the refusal took %v", took)
			}
			if biggest < 0 {
				t.Fatal("a staged file was left beside the database")
			} else if biggest > 4096+1<<20 {
				t.Fatalf("the staged file reached %d bytes", biggest)
			}
			if FileSum(t, db) != before || CountTasks(t, db) != 2 {
				t.Fatal("the live database changed")
			}
		})
	}

	// A restore can be interrupted while it copies: a header promising
	// 100,000 pages (400 MB) over a stream of zeros stops when ctx is
	// cancelled, and nothing staged is left behind.
	t.Run("Cancelled", func(t *testing.T) {
		big := filepath.Join(dir, "big.db.zst")
		writeBomb(t, big, sqliteHeader(100000), 400<<20)
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(20*time.Millisecond, cancel)
		stop := watchStaging(db.Path)
		_, err := m.Restore(cctx, big, nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err=%v, want context.Canceled", err)
		}
		if stop() < 0 {
			t.Fatal("a staged file was left beside the database")
		}
		if CountTasks(t, db) != 2 {
			t.Fatal("the live database changed")
		}
	})
}

// A backup into a folder that cannot be written names the folder and the
// cause, not SQLite's "unable to open database file".
func TestManager_Backup_Unwritable(t *testing.T) {
	_, m := MustOpen(t)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := m.Backup(context.Background(), backup.Options{Out: filepath.Join(file, "sub", "x.db.zst")})
	assertCode(t, err, domain.EINVALID)
	if msg := domain.ErrorMessage(err); !strings.Contains(msg, "Cannot back up to "+filepath.Join(file, "sub")) || !strings.Contains(msg, "not a directory") {
		t.Fatalf("message=%q, want the folder and the cause", msg)
	}
	if !errors.Is(err, syscall.ENOTDIR) {
		t.Fatalf("err=%v, want it to wrap ENOTDIR", err)
	}
}
