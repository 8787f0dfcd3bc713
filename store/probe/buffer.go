package probe

import "io"

// bufferedReadSeeker serves the container parsers' many small reads of box
// and element headers from a 64 KiB window of the file, so probing costs a
// few read system calls instead of one per header; a seek inside the
// window moves within it.
type bufferedReadSeeker struct {
	r   io.ReadSeeker
	buf []byte
	off int64 // file offset of buf[0]
	n   int   // valid bytes in buf
	pos int64 // the reader's file offset
}

func newBuffered(r io.ReadSeeker) *bufferedReadSeeker {
	return &bufferedReadSeeker{r: r, buf: make([]byte, 64<<10), off: -1}
}

func (b *bufferedReadSeeker) Read(p []byte) (int, error) {
	if b.off < 0 || b.pos < b.off || b.pos >= b.off+int64(b.n) {
		if len(p) >= len(b.buf) {
			// A big read goes straight to the file.
			if _, err := b.r.Seek(b.pos, io.SeekStart); err != nil {
				return 0, err
			}
			n, err := b.r.Read(p)
			b.pos += int64(n)
			return n, err
		}
		if _, err := b.r.Seek(b.pos, io.SeekStart); err != nil {
			return 0, err
		}
		n, err := io.ReadFull(b.r, b.buf)
		if n == 0 {
			b.off = -1
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			return 0, err
		}
		b.off, b.n = b.pos, n
	}
	n := copy(p, b.buf[b.pos-b.off:b.n])
	b.pos += int64(n)
	return n, nil
}

func (b *bufferedReadSeeker) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		b.pos = offset
	case io.SeekCurrent:
		b.pos += offset
	case io.SeekEnd:
		end, err := b.r.Seek(0, io.SeekEnd)
		if err != nil {
			return 0, err
		}
		b.pos = end + offset
	}
	if b.pos < 0 {
		b.pos = 0
		return 0, io.ErrUnexpectedEOF
	}
	return b.pos, nil
}
