//go:build ignore

// Appicon draws Reelvault's application icon, a film reel on a rounded
// square, and writes it as a 1024×1024 PNG:
//
//	go run build/appicon.go build/appicon.png
//
// With -hicolor DIR it writes the freedesktop icon theme sizes instead, as
// DIR/NxN/apps/reelvault.png, each an area average of the 1024×1024 drawing
// (the Linux package installs them under /usr/share/icons/hicolor):
//
//	go run build/appicon.go -hicolor dist/root/usr/share/icons/hicolor
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
)

// hicolorSizes are the icon theme sizes a desktop picks from.
var hicolorSizes = []int{16, 24, 32, 48, 64, 128, 256, 512}

const size = 1024

func main() {
	out := "build/appicon.png"
	if len(os.Args) > 2 && os.Args[1] == "-hicolor" {
		if err := writeHicolor(os.Args[2], draw()); err != nil {
			fmt.Fprintf(os.Stderr, "appicon: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	if err := write(out, draw()); err != nil {
		fmt.Fprintf(os.Stderr, "appicon: %v\n", err)
		os.Exit(1)
	}
}

func write(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create icon: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("encode icon: %w", err)
	}
	return f.Close()
}

// writeHicolor writes img at every hicolor size under dir.
func writeHicolor(dir string, img *image.NRGBA) error {
	for _, n := range hicolorSizes {
		path := filepath.Join(dir, fmt.Sprintf("%dx%d", n, n), "apps", "reelvault.png")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("create icon folder: %w", err)
		}
		if err := write(path, shrink(img, n)); err != nil {
			return err
		}
	}
	return nil
}

// shrink scales the square src down to n×n pixels: each pixel is the
// alpha-weighted average of the source pixels it covers.
func shrink(src *image.NRGBA, n int) *image.NRGBA {
	dst := image.NewNRGBA(image.Rect(0, 0, n, n))
	s := src.Bounds().Dx()
	for y := 0; y < n; y++ {
		y0, y1 := y*s/n, (y+1)*s/n
		for x := 0; x < n; x++ {
			x0, x1 := x*s/n, (x+1)*s/n
			var r, g, b, a, count float64
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					c := src.NRGBAAt(sx, sy)
					w := float64(c.A)
					r += float64(c.R) * w
					g += float64(c.G) * w
					b += float64(c.B) * w
					a += w
					count++
				}
			}
			if a == 0 {
				continue
			}
			dst.SetNRGBA(x, y, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(a / count)})
		}
	}
	return dst
}

// draw renders the icon with 4×4 supersampling for smooth edges.
func draw() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	top := [3]float64{0x2E, 0x22, 0x7A}    // deep indigo
	bottom := [3]float64{0xE0, 0x45, 0x7B} // warm pink
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var bg, reel float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					px := float64(x) + (float64(sx)+0.5)/ss
					py := float64(y) + (float64(sy)+0.5)/ss
					if inRoundedSquare(px, py) {
						bg++
						if inReel(px, py) {
							reel++
						}
					}
				}
			}
			bg /= ss * ss
			reel /= ss * ss
			if bg == 0 {
				continue
			}
			// Diagonal gradient behind a white reel.
			t := (float64(x) + float64(y)) / (2 * size)
			var c [3]float64
			for i := range c {
				g := top[i] + (bottom[i]-top[i])*t
				c[i] = g + (255-g)*(reel/bg)
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(c[0]), uint8(c[1]), uint8(c[2]), uint8(255 * bg)})
		}
	}
	return img
}

// inRoundedSquare is the icon's body: a square with 40 px margins and
// 200 px corner radius.
func inRoundedSquare(x, y float64) bool {
	const margin, r = 40.0, 200.0
	lo, hi := margin+r, size-margin-r
	cx := math.Max(lo, math.Min(hi, x))
	cy := math.Max(lo, math.Min(hi, y))
	return math.Hypot(x-cx, y-cy) <= r
}

// inReel is a film reel: a disc with five round windows around a hub.
func inReel(x, y float64) bool {
	const c, r = size / 2.0, 330.0
	dx, dy := x-c, y-c
	d := math.Hypot(dx, dy)
	if d > r || d < 38 {
		return false
	}
	if d > 64 && d < 84 { // the ring around the hub
		return false
	}
	for k := 0; k < 5; k++ {
		a := -math.Pi/2 + float64(k)*2*math.Pi/5
		hx, hy := c+190*math.Cos(a), c+190*math.Sin(a)
		if math.Hypot(x-hx, y-hy) < 82 {
			return false
		}
	}
	return true
}
