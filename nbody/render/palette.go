package render

import (
	"image"
	"image/color"
	"slices"
)

// Colours are counted in bins of 6 bits per channel: fine enough that the
// faint rims of the glow do not band, small enough (2^18 bins) to count
// every pixel of every frame quickly.
const (
	binBits  = 6
	binShift = 8 - binBits
	numBins  = 1 << (3 * binBits)
)

func binOf(r, g, b uint8) int {
	return int(r>>binShift)<<(2*binBits) | int(g>>binShift)<<binBits | int(b>>binShift)
}

// binColor returns the centre of a bin in 8-bit channels.
func binColor(bin int) [3]float64 {
	const mask = 1<<binBits - 1
	half := float64(int(1) << binShift / 2)
	return [3]float64{
		float64((bin>>(2*binBits))&mask<<binShift) + half,
		float64((bin>>binBits)&mask<<binShift) + half,
		float64(bin&mask<<binShift) + half,
	}
}

// histogram counts the pixels of every frame by bin.
func histogram(frames []*image.RGBA) []int {
	counts := make([]int, numBins)
	for _, f := range frames {
		w, h := f.Rect.Dx(), f.Rect.Dy()
		for y := range h {
			row := f.Pix[y*f.Stride : y*f.Stride+4*w]
			for x := 0; x < len(row); x += 4 {
				counts[binOf(row[x], row[x+1], row[x+2])]++
			}
		}
	}
	return counts
}

// colorBox is a set of bins that median cut treats as one colour.
type colorBox struct {
	bins []int
	sse  float64 // Σ count·|colour − mean|²: how much merging them costs
}

// glowPalette returns a palette of at most size colours fitted to the
// frames by median cut: black first (most of every frame is empty sky,
// and it must stay exactly black), then the boxes of colour that cost the
// most error split again and again at their weighted median. It suits
// glowing points, whose colours lie along a few ramps from black through
// the body colours to white.
func glowPalette(counts []int, size int) color.Palette {
	black := binOf(0, 0, 0)
	var used []int
	for bin, c := range counts {
		if c > 0 && bin != black {
			used = append(used, bin)
		}
	}
	pal := color.Palette{color.RGBA{0, 0, 0, 0xff}}
	if len(used) == 0 {
		return pal
	}
	boxes := []colorBox{newColorBox(used, counts)}
	for len(boxes) < size-1 {
		worst := 0
		for i, b := range boxes {
			if b.sse > boxes[worst].sse {
				worst = i
			}
		}
		if boxes[worst].sse == 0 {
			break // every box holds a single colour
		}
		lo, hi := splitColorBox(boxes[worst].bins, counts)
		boxes[worst] = newColorBox(lo, counts)
		boxes = append(boxes, newColorBox(hi, counts))
	}
	for _, b := range boxes {
		m, _ := boxMean(b.bins, counts)
		pal = append(pal, color.RGBA{toChannel(m[0]), toChannel(m[1]), toChannel(m[2]), 0xff})
	}
	return pal
}

func toChannel(v float64) uint8 { return uint8(min(255, max(0, v+0.5))) }

func boxMean(bins []int, counts []int) (mean [3]float64, total float64) {
	for _, bin := range bins {
		c, w := binColor(bin), float64(counts[bin])
		for k := range 3 {
			mean[k] += w * c[k]
		}
		total += w
	}
	for k := range 3 {
		mean[k] /= total
	}
	return mean, total
}

func newColorBox(bins []int, counts []int) colorBox {
	mean, _ := boxMean(bins, counts)
	var sse float64
	for _, bin := range bins {
		c, w := binColor(bin), float64(counts[bin])
		for k := range 3 {
			d := c[k] - mean[k]
			sse += w * d * d
		}
	}
	return colorBox{bins: bins, sse: sse}
}

// splitColorBox cuts a box of two or more bins in two along the channel
// where its colours spread most, at the pixel-weighted median.
func splitColorBox(bins []int, counts []int) (lo, hi []int) {
	mean, total := boxMean(bins, counts)
	var spread [3]float64
	for _, bin := range bins {
		c, w := binColor(bin), float64(counts[bin])
		for k := range 3 {
			d := c[k] - mean[k]
			spread[k] += w * d * d
		}
	}
	axis := 0
	for k := 1; k < 3; k++ {
		if spread[k] > spread[axis] {
			axis = k
		}
	}
	sorted := slices.Clone(bins)
	slices.SortFunc(sorted, func(a, b int) int {
		ca, cb := binColor(a)[axis], binColor(b)[axis]
		switch {
		case ca < cb:
			return -1
		case ca > cb:
			return 1
		}
		return a - b
	})
	var acc float64
	cut := 1
	for i, bin := range sorted[:len(sorted)-1] {
		acc += float64(counts[bin])
		cut = i + 1
		if acc >= total/2 {
			break
		}
	}
	return sorted[:cut], sorted[cut:]
}

// binLookup maps every bin that occurs to its nearest palette entry, so
// that each pixel then costs one table look-up.
func binLookup(counts []int, pal color.Palette) []uint8 {
	lut := make([]uint8, numBins) // zero: palette entry 0, black
	black := binOf(0, 0, 0)
	for bin, c := range counts {
		if c == 0 || bin == black {
			continue
		}
		bc := binColor(bin)
		best, bestD := 0, -1.0
		for i, p := range pal {
			pc := p.(color.RGBA)
			d := sq(bc[0]-float64(pc.R)) + sq(bc[1]-float64(pc.G)) + sq(bc[2]-float64(pc.B))
			if bestD < 0 || d < bestD {
				best, bestD = i, d
			}
		}
		lut[bin] = uint8(best)
	}
	return lut
}

func sq(x float64) float64 { return x * x }
