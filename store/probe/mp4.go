package probe

import (
	"io"
	"strings"

	mp4 "github.com/abema/go-mp4"
)

// mp4File reads the first video track ("vide" handler) of an MP4/MOV file.
// Width and height come from the sample entry (the coded picture), or from
// the track header when the entry is of a kind go-mp4 does not decode; the
// duration from the media header; the frame rate from the sample table
// (samples over their total time).
func mp4File(r io.ReadSeeker) (*Facts, error) {
	traks, err := mp4.ExtractBox(r, nil, mp4.BoxPath{mp4.BoxTypeMoov(), mp4.BoxTypeTrak()})
	if err != nil {
		return nil, wrap("mp4", err)
	}
	for _, trak := range traks {
		boxes, err := mp4.ExtractBoxesWithPayload(r, trak, []mp4.BoxPath{
			{mp4.BoxTypeTkhd()},
			{mp4.BoxTypeMdia(), mp4.BoxTypeHdlr()},
			{mp4.BoxTypeMdia(), mp4.BoxTypeMdhd()},
			{mp4.BoxTypeMdia(), mp4.BoxTypeMinf(), mp4.BoxTypeStbl(), mp4.BoxTypeStts()},
		})
		if err != nil {
			return nil, wrap("mp4", err)
		}
		var (
			tkhd *mp4.Tkhd
			hdlr *mp4.Hdlr
			mdhd *mp4.Mdhd
			stts *mp4.Stts
		)
		for _, b := range boxes {
			switch p := b.Payload.(type) {
			case *mp4.Tkhd:
				tkhd = p
			case *mp4.Hdlr:
				hdlr = p
			case *mp4.Mdhd:
				mdhd = p
			case *mp4.Stts:
				stts = p
			}
		}
		if hdlr == nil || string(hdlr.HandlerType[:]) != "vide" {
			continue
		}
		f := &Facts{Container: "mp4"}
		if tkhd != nil {
			f.Width, f.Height = int(tkhd.GetWidthInt()), int(tkhd.GetHeightInt())
		}
		entries, err := mp4.ExtractBox(r, trak, mp4.BoxPath{mp4.BoxTypeMdia(), mp4.BoxTypeMinf(), mp4.BoxTypeStbl(), mp4.BoxTypeStsd(), mp4.BoxTypeAny()})
		if err != nil {
			return nil, wrap("mp4", err)
		}
		if len(entries) > 0 {
			f.Codec = strings.TrimSpace(entries[0].Type.String())
			if vse, err := mp4.ExtractBoxWithPayload(r, trak, mp4.BoxPath{mp4.BoxTypeMdia(), mp4.BoxTypeMinf(), mp4.BoxTypeStbl(), mp4.BoxTypeStsd(), entries[0].Type}); err == nil && len(vse) > 0 {
				if v, ok := vse[0].Payload.(*mp4.VisualSampleEntry); ok && v.Width > 0 && v.Height > 0 {
					f.Width, f.Height = int(v.Width), int(v.Height)
				}
			}
		}
		if mdhd != nil && mdhd.Timescale > 0 {
			f.Duration = round3(float64(mdhd.GetDuration()) / float64(mdhd.Timescale))
			if stts != nil {
				var samples, ticks uint64
				for _, e := range stts.Entries {
					samples += uint64(e.SampleCount)
					ticks += uint64(e.SampleCount) * uint64(e.SampleDelta)
				}
				if ticks > 0 {
					f.FPS = round3(float64(samples) * float64(mdhd.Timescale) / float64(ticks))
				}
			}
		}
		return f, nil
	}
	return nil, ErrNoVideo
}
