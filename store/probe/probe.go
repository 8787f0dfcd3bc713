// Package probe reads a video file's true facts (width, height, duration,
// frame rate and codec) from its container, without decoding a frame.
//
// It reads MP4/MOV (ISO base media) through github.com/abema/go-mp4 and
// WebM/Matroska through github.com/remko/go-mkvparse; both parse the
// container's headers only, so probing a 2 GB file reads a few kilobytes.
// Callers hand in a file they have already opened and judged (see
// store/safefile): probe never opens a path itself.
package probe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Facts are what the container says about its first video track.
type Facts struct {
	Container string  `json:"container"` // "mp4" or "matroska"
	Codec     string  `json:"codec"`     // e.g. "avc1", "hvc1", "av01", "vp09" (MP4), "V_VP9", "V_MPEG4/ISO/AVC" (Matroska)
	Width     int     `json:"width"`     // pixels
	Height    int     `json:"height"`    // pixels
	Duration  float64 `json:"duration"`  // seconds
	FPS       float64 `json:"fps"`       // frames per second; 0 when the container does not say
}

// ErrUnknownFormat is returned for a file that is neither MP4/MOV nor
// WebM/Matroska.
var ErrUnknownFormat = errors.New("not an MP4, MOV, WebM or Matroska file")

// ErrNoVideo is returned for a container without a video track.
var ErrNoVideo = errors.New("the file has no video track")

// File reads the facts of r, a whole file, from its start.
func File(r io.ReadSeeker) (*Facts, error) {
	var head [12]byte
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	n, err := io.ReadFull(r, head[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		if errors.Is(err, io.EOF) {
			return nil, ErrUnknownFormat
		}
		return nil, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var f *Facts
	br := newBuffered(r)
	switch {
	case n >= 4 && bytes.Equal(head[:4], []byte{0x1A, 0x45, 0xDF, 0xA3}):
		f, err = matroska(br)
	case n >= 8 && isMP4Box(head[4:8]):
		f, err = mp4File(br)
	default:
		return nil, ErrUnknownFormat
	}
	if err != nil {
		return nil, err
	}
	if f.Width <= 0 || f.Height <= 0 {
		return nil, ErrNoVideo
	}
	return f, nil
}

// isMP4Box reports whether t is a box type an ISO base media file starts with.
func isMP4Box(t []byte) bool {
	switch string(t) {
	case "ftyp", "moov", "mdat", "wide", "free", "skip", "pnot":
		return true
	}
	return false
}

// round3 rounds x to three decimals, enough for seconds and frame rates.
func round3(x float64) float64 {
	return float64(int64(x*1000+0.5)) / 1000
}

// wrap gives a parser's error short context.
func wrap(format string, err error) error {
	return fmt.Errorf("read %s: %w", format, err)
}
