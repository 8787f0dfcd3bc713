package probe

import (
	"errors"
	"io"
	"time"

	"github.com/remko/go-mkvparse"
)

// matroska reads the first video track of a WebM/Matroska file from its
// Info and Tracks sections; the seek head lets the parser skip the
// clusters, so only the headers are read.
func matroska(r io.ReadSeeker) (*Facts, error) {
	h := &mkvHandler{scale: 1_000_000}
	err := mkvparse.ParseSections(r, h, mkvparse.InfoElement, mkvparse.TracksElement)
	if err != nil && !errors.Is(err, errMkvDone) {
		return nil, wrap("matroska", err)
	}
	if h.video == nil {
		return nil, ErrNoVideo
	}
	f := &Facts{
		Container: "matroska",
		Codec:     h.video.codec,
		Width:     int(h.video.width),
		Height:    int(h.video.height),
		Duration:  round3(h.duration * float64(h.scale) / 1e9),
	}
	if h.video.defaultDuration > 0 {
		f.FPS = round3(1e9 / float64(h.video.defaultDuration))
	}
	return f, nil
}

// errMkvDone stops the parse once the facts are in; it never escapes.
var errMkvDone = errors.New("done")

// mkvTrack is one TrackEntry as parsed.
type mkvTrack struct {
	kind            int64 // 1 = video
	codec           string
	width, height   int64
	defaultDuration int64 // nanoseconds per frame
}

// mkvHandler collects the segment's timestamp scale and duration and the
// first video track.
type mkvHandler struct {
	mkvparse.DefaultHandler
	scale    int64   // nanoseconds per timestamp tick
	duration float64 // in ticks
	cur      *mkvTrack
	video    *mkvTrack
}

func (h *mkvHandler) HandleMasterBegin(id mkvparse.ElementID, _ mkvparse.ElementInfo) (bool, error) {
	switch id {
	case mkvparse.ClusterElement, mkvparse.CuesElement, mkvparse.TagsElement, mkvparse.AttachmentsElement, mkvparse.ChaptersElement:
		return false, nil
	case mkvparse.TrackEntryElement:
		h.cur = &mkvTrack{}
	}
	return true, nil
}

func (h *mkvHandler) HandleMasterEnd(id mkvparse.ElementID, _ mkvparse.ElementInfo) error {
	if id == mkvparse.TrackEntryElement && h.cur != nil {
		if h.cur.kind == 1 && h.video == nil {
			h.video = h.cur
		}
		h.cur = nil
	}
	return nil
}

func (h *mkvHandler) HandleInteger(id mkvparse.ElementID, v int64, _ mkvparse.ElementInfo) error {
	switch id {
	case mkvparse.TimecodeScaleElement:
		if v > 0 {
			h.scale = v
		}
	}
	if h.cur == nil {
		return nil
	}
	switch id {
	case mkvparse.TrackTypeElement:
		h.cur.kind = v
	case mkvparse.PixelWidthElement:
		h.cur.width = v
	case mkvparse.PixelHeightElement:
		h.cur.height = v
	case mkvparse.DefaultDurationElement:
		h.cur.defaultDuration = v
	}
	return nil
}

func (h *mkvHandler) HandleFloat(id mkvparse.ElementID, v float64, _ mkvparse.ElementInfo) error {
	if id == mkvparse.DurationElement && v > 0 {
		h.duration = v
	}
	return nil
}

func (h *mkvHandler) HandleString(id mkvparse.ElementID, v string, _ mkvparse.ElementInfo) error {
	if id == mkvparse.CodecIDElement && h.cur != nil {
		h.cur.codec = v
	}
	return nil
}

func (h *mkvHandler) HandleDate(mkvparse.ElementID, time.Time, mkvparse.ElementInfo) error {
	return nil
}
