package store

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// A day's generation times are kept as a fixed histogram instead of being
// re-read from the tasks on every completion.
//
// Buckets are log-spaced: bucket i holds durations in
// [histMin·histRatio^i, histMin·histRatio^(i+1)) and reports its geometric
// middle, so the p95 reported for durations between histMin and
// maxStatSeconds is within a factor √histRatio of the exact nearest-rank
// p95: a relative error below 2.5%. Durations below histMin (1 ms) are
// counted as 0. The average is exact to the microsecond: the histogram
// keeps the count and the sum in integer microseconds, so the order in which
// durations are added (one by one as tasks complete, or all at once by a
// rebuild) cannot change any stored value.

// Histogram parameters. Changing them changes the buckets of every stored
// histogram: a new migration would have to clear them for a rebuild.
const (
	histMin   = 0.001
	histRatio = 1.05
	// maxStatSeconds bounds any one duration the statistics count (about
	// 31 years): larger, infinite or NaN values stored by older versions are
	// clamped, so no sum can overflow to +Inf.
	maxStatSeconds = 1e9
)

// genHist is a day's generation-time histogram, stored as JSON in
// statistics.generation_histogram.
type genHist struct {
	// N is the number of durations, Micros their sum in microseconds.
	N      int64 `json:"n"`
	Micros int64 `json:"us"`
	// Zero counts durations below histMin.
	Zero int64 `json:"z,omitempty"`
	// Buckets maps a bucket index to its count.
	Buckets map[int]int64 `json:"b,omitempty"`
}

// clampSeconds returns v bounded to [0, maxStatSeconds], with NaN as 0.
func clampSeconds(v float64) float64 {
	switch {
	case math.IsNaN(v) || v <= 0:
		return 0
	case v > maxStatSeconds:
		return maxStatSeconds
	}
	return v
}

// bucketOf returns the bucket index of a duration of at least histMin.
func bucketOf(d float64) int {
	return int(math.Floor(math.Log(d/histMin) / math.Log(histRatio)))
}

// bucketValue is the value reported for bucket i: its geometric middle.
func bucketValue(i int) float64 {
	return histMin * math.Pow(histRatio, float64(i)+0.5)
}

// add counts one duration in seconds.
func (h *genHist) add(d float64) {
	d = clampSeconds(d)
	h.N++
	us := int64(math.Round(d * 1e6))
	if h.Micros > math.MaxInt64-us {
		h.Micros = math.MaxInt64 // saturates the same in any order
	} else {
		h.Micros += us
	}
	if d < histMin {
		h.Zero++
		return
	}
	if h.Buckets == nil {
		h.Buckets = map[int]int64{}
	}
	h.Buckets[bucketOf(d)]++
}

// avg returns the mean duration in seconds (0 for none).
func (h *genHist) avg() float64 {
	if h.N <= 0 {
		return 0
	}
	return float64(h.Micros) / 1e6 / float64(h.N)
}

// p95 returns the nearest-rank 95th percentile within the histogram's
// error bound (0 for none).
func (h *genHist) p95() float64 {
	if h.N <= 0 {
		return 0
	}
	rank := int64(math.Ceil(0.95 * float64(h.N)))
	seen := h.Zero
	if seen >= rank {
		return 0
	}
	keys := make([]int, 0, len(h.Buckets))
	for k := range h.Buckets {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		seen += h.Buckets[k]
		if seen >= rank {
			return clampSeconds(bucketValue(k))
		}
	}
	return clampSeconds(bucketValue(keys[len(keys)-1]))
}

// encode returns h as stored.
func (h *genHist) encode() (string, error) {
	b, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("encode generation histogram: %w", err)
	}
	return string(b), nil
}

// decodeHist parses a stored histogram; "" is an empty one.
func decodeHist(s string) (*genHist, error) {
	h := &genHist{}
	if s == "" {
		return h, nil
	}
	if err := json.Unmarshal([]byte(s), h); err != nil {
		return nil, fmt.Errorf("decode generation histogram: %w", err)
	}
	return h, nil
}
