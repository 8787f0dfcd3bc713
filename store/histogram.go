package store

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
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

// encode returns h as stored: the JSON encoding/json writes for genHist
// (the same bytes, bucket keys in their string order), written by hand
// because every completion encodes the day's histogram and encoding/json's
// reflection over the map was an eighth of a lifecycle step's allocations.
func (h *genHist) encode() (string, error) {
	b := make([]byte, 0, 40+16*len(h.Buckets))
	b = append(b, `{"n":`...)
	b = strconv.AppendInt(b, h.N, 10)
	b = append(b, `,"us":`...)
	b = strconv.AppendInt(b, h.Micros, 10)
	if h.Zero != 0 {
		b = append(b, `,"z":`...)
		b = strconv.AppendInt(b, h.Zero, 10)
	}
	if len(h.Buckets) > 0 {
		keys := make([]string, 0, len(h.Buckets))
		for k := range h.Buckets {
			keys = append(keys, strconv.Itoa(k))
		}
		slices.Sort(keys)
		b = append(b, `,"b":{`...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			n, _ := strconv.Atoi(k)
			b = append(b, '"')
			b = append(b, k...)
			b = append(b, `":`...)
			b = strconv.AppendInt(b, h.Buckets[n], 10)
		}
		b = append(b, '}')
	}
	b = append(b, '}')
	return string(b), nil
}

// decodeHist parses a stored histogram; "" is an empty one. The shape
// encode writes (and PostgreSQL's jsonb rendering of it, with spaces and
// its own key order) is parsed by hand; anything else goes to
// encoding/json, which also reports what is wrong with a broken one.
func decodeHist(s string) (*genHist, error) {
	h := &genHist{}
	if s == "" {
		return h, nil
	}
	if parseHist(s, h) {
		return h, nil
	}
	h = &genHist{}
	if err := json.Unmarshal([]byte(s), h); err != nil {
		return nil, fmt.Errorf("decode generation histogram: %w", err)
	}
	return h, nil
}

// parseHist parses s into h and reports whether s had the plain shape
// {"n":…,"us":…,"z":…,"b":{"<int>":…,…}} of integers, in any key order.
func parseHist(s string, h *genHist) bool {
	p := histParser{s: s}
	if !p.eat('{') {
		return false
	}
	if p.eat('}') {
		return p.end()
	}
	for {
		key, ok := p.str()
		if !ok || !p.eat(':') {
			return false
		}
		switch key {
		case "n", "us", "z":
			v, ok := p.int()
			if !ok {
				return false
			}
			switch key {
			case "n":
				h.N = v
			case "us":
				h.Micros = v
			default:
				h.Zero = v
			}
		case "b":
			if !p.eat('{') {
				return false
			}
			if h.Buckets == nil {
				h.Buckets = map[int]int64{}
			}
			if !p.eat('}') {
				for {
					k, ok := p.str()
					if !ok || !p.eat(':') {
						return false
					}
					i, err := strconv.Atoi(k)
					if err != nil {
						return false
					}
					v, ok := p.int()
					if !ok {
						return false
					}
					h.Buckets[i] = v
					if p.eat('}') {
						break
					}
					if !p.eat(',') {
						return false
					}
				}
			}
		default:
			return false
		}
		if p.eat('}') {
			return p.end()
		}
		if !p.eat(',') {
			return false
		}
	}
}

// histParser reads the tokens of a stored histogram.
type histParser struct {
	s string
	i int
}

// skip passes white space.
func (p *histParser) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t' || p.s[p.i] == '\r') {
		p.i++
	}
}

// eat consumes c if it comes next.
func (p *histParser) eat(c byte) bool {
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (p *histParser) end() bool {
	p.skip()
	return p.i == len(p.s)
}

// str reads a string without escapes.
func (p *histParser) str() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	j := strings.IndexByte(p.s[p.i:], '"')
	if j < 0 || strings.IndexByte(p.s[p.i:p.i+j], '\\') >= 0 {
		return "", false
	}
	v := p.s[p.i : p.i+j]
	p.i += j + 1
	return v, true
}

// int reads an integer.
func (p *histParser) int() (int64, bool) {
	p.skip()
	j := p.i
	if j < len(p.s) && p.s[j] == '-' {
		j++
	}
	for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
		j++
	}
	v, err := strconv.ParseInt(p.s[p.i:j], 10, 64)
	if err != nil {
		return 0, false
	}
	p.i = j
	return v, true
}
