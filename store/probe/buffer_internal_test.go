package probe

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

// errSeeker fails every seek, as a closed or broken file would.
type errSeeker struct{ io.Reader }

var errBroken = errors.New("broken file")

func (errSeeker) Seek(int64, int) (int64, error) { return 0, errBroken }

// The buffered reader reads exactly what the file holds, whatever the mix
// of small reads, big reads and seeks: checked against bytes.Reader over a
// file larger than its window.
func TestBufferedReadSeeker_MatchesFile(t *testing.T) {
	data := make([]byte, 200<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.IntN(256))
	}
	want := bytes.NewReader(data)
	got := newBuffered(bytes.NewReader(data))
	for step := 0; step < 5000; step++ {
		switch op := rng.IntN(10); {
		case op < 5: // a small read
			n := 1 + rng.IntN(64)
			compareRead(t, step, got, want, n)
		case op < 6: // a read bigger than the window
			compareRead(t, step, got, want, 64<<10+rng.IntN(8<<10))
		case op < 8:
			off := int64(rng.IntN(len(data) + 100))
			a, errA := got.Seek(off, io.SeekStart)
			b, errB := want.Seek(off, io.SeekStart)
			if a != b || (errA == nil) != (errB == nil) {
				t.Fatalf("step %d: Seek(%d, start)=%d,%v, want %d,%v", step, off, a, errA, b, errB)
			}
		case op < 9:
			off := int64(rng.IntN(2000) - 1000)
			pos, _ := want.Seek(0, io.SeekCurrent)
			if pos+off < 0 {
				off = -pos
			}
			a, _ := got.Seek(off, io.SeekCurrent)
			b, _ := want.Seek(off, io.SeekCurrent)
			if a != b {
				t.Fatalf("step %d: Seek(%d, current)=%d, want %d", step, off, a, b)
			}
		default:
			off := -int64(rng.IntN(1000))
			a, _ := got.Seek(off, io.SeekEnd)
			b, _ := want.Seek(off, io.SeekEnd)
			if a != b {
				t.Fatalf("step %d: Seek(%d, end)=%d, want %d", step, off, a, b)
			}
		}
	}

	// Before the start is refused and leaves the reader at 0.
	if _, err := got.Seek(-10, io.SeekStart); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("seek before the start: %v, want ErrUnexpectedEOF", err)
	}
	want.Seek(0, io.SeekStart)
	compareRead(t, -1, got, want, 16)
}

func compareRead(t *testing.T, step int, got *bufferedReadSeeker, want *bytes.Reader, n int) {
	t.Helper()
	a, b := make([]byte, n), make([]byte, n)
	na, errA := io.ReadFull(got, a)
	nb, errB := io.ReadFull(want, b)
	if na != nb || !bytes.Equal(a[:na], b[:nb]) || (errA == nil) != (errB == nil) {
		t.Fatalf("step %d: read %d bytes (%v), want %d (%v) and the same bytes", step, na, errA, nb, errB)
	}
}

// A file that cannot seek fails the reads and the seek from the end with
// its error.
func TestBufferedReadSeeker_SeekErrors(t *testing.T) {
	b := newBuffered(errSeeker{bytes.NewReader(make([]byte, 100))})
	if _, err := b.Read(make([]byte, 10)); !errors.Is(err, errBroken) {
		t.Fatalf("small read: %v, want the seek error", err)
	}
	if _, err := b.Read(make([]byte, 128<<10)); !errors.Is(err, errBroken) {
		t.Fatalf("big read: %v, want the seek error", err)
	}
	if _, err := b.Seek(0, io.SeekEnd); !errors.Is(err, errBroken) {
		t.Fatalf("seek from the end: %v, want the seek error", err)
	}
}
