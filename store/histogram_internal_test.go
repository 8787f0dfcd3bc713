package store

import (
	"math"
	"math/rand/v2"
	"slices"
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
