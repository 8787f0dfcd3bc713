package store

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestGenHist_P95Bound checks the documented error bound: on random
// samples of many shapes, the histogram's p95 is within √1.05 (< 2.5%) of
// the exact nearest-rank p95, and its average is exact to the microsecond.
func TestGenHist_P95Bound(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 95))
	for round := range 200 {
		n := 1 + rng.IntN(3000)
		scale := math.Pow(10, float64(rng.IntN(6)-1)) // 0.1 s … 10,000 s
		h := &genHist{}
		ds := make([]float64, n)
		var us int64
		for i := range ds {
			ds[i] = math.Round(rng.ExpFloat64()*scale*1e6) / 1e6
			if ds[i] < histMin {
				ds[i] = histMin
			}
			us += int64(math.Round(ds[i] * 1e6))
			h.add(ds[i])
		}
		slices.Sort(ds)
		exact := ds[int(math.Ceil(0.95*float64(n)))-1]
		if got := h.p95(); math.Abs(got/exact-1) > math.Sqrt(histRatio)-1+1e-12 {
			t.Fatalf("round %d (n=%d): p95 %v, exact %v: beyond the bound", round, n, got, exact)
		}
		if got, want := h.avg(), float64(us)/1e6/float64(n); got != want {
			t.Fatalf("round %d: avg %v, want %v", round, got, want)
		}
	}
}

// TestGenHist_Bounds checks that non-finite, negative and huge durations
// are clamped, the sum saturates instead of overflowing, and encoding
// round-trips.
func TestGenHist_Bounds(t *testing.T) {
	h := &genHist{}
	for _, d := range []float64{math.Inf(1), math.NaN(), -5, 1.7e308, 0, 0.0005} {
		h.add(d)
	}
	for range 20_000 {
		h.add(maxStatSeconds)
	}
	if h.N != 20_006 || h.Zero != 4 || h.Micros != math.MaxInt64 {
		t.Fatalf("hist n=%d zero=%d us=%d", h.N, h.Zero, h.Micros)
	}
	if v := h.p95(); math.IsInf(v, 0) || v > maxStatSeconds {
		t.Fatalf("p95 %v, want at most %v", v, float64(maxStatSeconds))
	}
	if v := h.avg(); math.IsInf(v, 0) || math.IsNaN(v) {
		t.Fatalf("avg %v", v)
	}
	enc, err := h.encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeHist(enc)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := back.encode(); again != enc || back.p95() != h.p95() {
		t.Fatalf("round trip changed the histogram: %s → %s", enc, again)
	}
	if _, err := decodeHist("{"); err == nil {
		t.Fatal("decoded a broken histogram")
	}
	if (&genHist{}).p95() != 0 || (&genHist{}).avg() != 0 {
		t.Fatal("empty histogram is not 0")
	}
}

// TestGenHist_Encoding checks that the hand-written encoding is the bytes
// encoding/json writes, and that decoding reads back the same histogram
// from them, from PostgreSQL's jsonb rendering (spaces, its own key order)
// and, through encoding/json, from other valid JSON; broken input is
// refused.
func TestGenHist_Encoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range 300 {
		h := &genHist{}
		for range rng.IntN(40) {
			switch rng.IntN(4) {
			case 0:
				h.add(0)
			default:
				h.add(math.Exp(rng.Float64()*20 - 8))
			}
		}
		if i%50 == 0 {
			h.Micros = math.MaxInt64
		}
		want, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		got, err := h.encode()
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Fatalf("encode=%s, want %s", got, want)
		}
		for _, s := range []string{got, jsonbStyle(h)} {
			back, err := decodeHist(s)
			if err != nil {
				t.Fatalf("decode %s: %v", s, err)
			}
			if again, _ := back.encode(); again != got {
				t.Fatalf("decode %s → %s, want %s", s, again, got)
			}
		}
	}
	// Valid JSON of another shape goes through encoding/json.
	h, err := decodeHist(`{"N": 2, "us": 3, "b": {"1": 2}}`)
	if err != nil || h.N != 2 || h.Micros != 3 || h.Buckets[1] != 2 {
		t.Fatalf("decode other JSON: %+v, %v", h, err)
	}
	for _, bad := range []string{"{", `{"n":1,}`, `{"b":{"x":1}}`, `{"n":"1"}`, `[1]`, `{"n":1} x`} {
		if _, err := decodeHist(bad); err == nil {
			t.Fatalf("decoded the broken histogram %s", bad)
		}
	}
}

// jsonbStyle renders h as PostgreSQL's jsonb prints it: a space after
// each colon and comma, shorter keys first.
func jsonbStyle(h *genHist) string {
	var b strings.Builder
	b.WriteString("{")
	sep := ""
	if len(h.Buckets) > 0 {
		keys := make([]string, 0, len(h.Buckets))
		for k := range h.Buckets {
			keys = append(keys, strconv.Itoa(k))
		}
		slices.SortFunc(keys, func(a, b string) int {
			if len(a) != len(b) {
				return len(a) - len(b)
			}
			return strings.Compare(a, b)
		})
		b.WriteString(`"b": {`)
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			n, _ := strconv.Atoi(k)
			fmt.Fprintf(&b, `"%s": %d`, k, h.Buckets[n])
		}
		b.WriteString("}")
		sep = ", "
	}
	fmt.Fprintf(&b, `%s"n": %d`, sep, h.N)
	if h.Zero != 0 {
		fmt.Fprintf(&b, `, "z": %d`, h.Zero)
	}
	fmt.Fprintf(&b, `, "us": %d}`, h.Micros)
	return b.String()
}
