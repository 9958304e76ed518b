package main

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// sans is the chart's typeface (gonum/plot's default is the serif one).
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// The picture's size: about README width at 1:1.
const (
	width  = 8 * vg.Inch
	height = 5 * vg.Inch
	dpi    = 100
)

// seriesKey names one line of the chart.
type seriesKey struct {
	program   string // "ours" or "sample"
	precision string // "single" or "double"
	gpus      int
}

// series is one line of the chart: a program in one precision on some GPUs,
// its figures in order of N.
type series struct {
	key    seriesKey
	points []Point
}

// label is the series' legend entry.
func (s series) label() string {
	prog := "nbody-go"
	if s.key.program == "sample" {
		prog = "CUDA sample"
	}
	prec := "fp32"
	if s.key.precision == "double" {
		prec = "fp64"
	}
	gpus := "1 GPU"
	if s.key.gpus > 1 {
		gpus = fmt.Sprintf("%d GPUs", s.key.gpus)
	}
	return prog + ", " + prec + ", " + gpus
}

// collect gathers the lines of the chart from the runs on gpu: the figures
// with the bodies in device memory and, on several GPUs, the default
// exchange. Where two runs give the same N for one line, the earlier run
// wins. Lines come ours first, fp32 before fp64, more GPUs first.
func collect(runs []*Run, gpu string) ([]series, error) {
	byKey := map[seriesKey]*series{}
	seen := map[seriesKey]map[int]bool{}
	for _, r := range runs {
		if r.GPU != gpu {
			continue
		}
		for _, p := range r.Points {
			if p.Memory != "device" || (p.Exchange != "-" && p.Exchange != "auto") {
				continue
			}
			k := seriesKey{r.Program, p.Precision, p.GPUs}
			if byKey[k] == nil {
				byKey[k] = &series{key: k}
				seen[k] = map[int]bool{}
			}
			if seen[k][p.N] {
				continue
			}
			seen[k][p.N] = true
			s := byKey[k]
			s.points = append(s.points, p)
		}
	}
	if len(byKey) == 0 {
		var gpus []string
		for _, r := range runs {
			if !slices.Contains(gpus, r.GPU) {
				gpus = append(gpus, r.GPU)
			}
		}
		return nil, fmt.Errorf("no figures for GPU %q in device memory (the data has %s)", gpu, strings.Join(quoteAll(gpus), ", "))
	}
	out := make([]series, 0, len(byKey))
	for _, s := range byKey {
		slices.SortFunc(s.points, func(a, b Point) int { return cmp.Compare(a.N, b.N) })
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b series) int {
		return cmp.Or(
			cmp.Compare(programRank(a.key.program), programRank(b.key.program)),
			strings.Compare(b.key.precision, a.key.precision), // "single" before "double"
			cmp.Compare(b.key.gpus, a.key.gpus),
		)
	})
	return out, nil
}

func programRank(p string) int {
	if p == "ours" {
		return 0
	}
	return 1
}

func quoteAll(list []string) []string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return q
}

// Colours: ours in blues, the sample in oranges; fp64 the lighter shade.
var colours = map[seriesKey]color.RGBA{
	{program: "ours", precision: "single"}:   {R: 0x1f, G: 0x4e, B: 0x9c, A: 0xff},
	{program: "ours", precision: "double"}:   {R: 0x4a, G: 0x94, B: 0xd0, A: 0xff},
	{program: "sample", precision: "single"}: {R: 0xc8, G: 0x55, B: 0x0a, A: 0xff},
	{program: "sample", precision: "double"}: {R: 0xe8, G: 0x91, B: 0x3a, A: 0xff},
}

// addSeries adds s to p with its style: colour by program and precision, a solid
// line and filled circles on one GPU, a dashed line and squares on more.
func addSeries(p *plot.Plot, s series) error {
	xys := make(plotter.XYs, len(s.points))
	for i, pt := range s.points {
		xys[i] = plotter.XY{X: float64(pt.N), Y: pt.GIs}
	}
	line, points, err := plotter.NewLinePoints(xys)
	if err != nil {
		return fmt.Errorf("line %s: %w", s.label(), err)
	}
	c := colours[seriesKey{program: s.key.program, precision: s.key.precision}]
	line.Color = c
	line.Width = vg.Points(2.2)
	points.Color = c
	points.Radius = vg.Points(3.5)
	points.Shape = draw.CircleGlyph{}
	if s.key.gpus > 1 {
		line.Dashes = []vg.Length{vg.Points(7), vg.Points(3)}
		points.Shape = draw.BoxGlyph{}
		points.Radius = vg.Points(3.2)
	}

	// The last figure of the line written beside its point: right of the
	// end of a one-GPU line; above the point for ours on several GPUs, below
	// for the sample, so that neighbouring labels keep apart.
	last := s.points[len(s.points)-1]
	value, err := plotter.NewLabels(plotter.XYLabels{
		XYs:    xys[len(xys)-1:],
		Labels: []string{thousands(int(math.Round(last.GIs)))},
	})
	if err != nil {
		return fmt.Errorf("label of %s: %w", s.label(), err)
	}
	sty := &value.TextStyle[0]
	sty.Font = font.From(sans, 10)
	sty.Color = c
	switch {
	case s.key.gpus == 1:
		sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
		value.Offset.X = vg.Points(7)
		value.Offset.Y = vg.Points(2.5) // the fp64 lines end close together
		if s.key.program != "ours" {
			value.Offset.Y = -value.Offset.Y
		}
	case s.key.program == "ours":
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
		value.Offset.Y = vg.Points(7)
	default:
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		value.Offset.Y = -vg.Points(7)
	}
	p.Add(line, points, value)
	p.Legend.Add(s.label(), line, points)
	return nil
}

// dateRange is "D" when every run is of one day, else "D1 to D2".
func dateRange(runs []*Run, gpu string) string {
	var dates []string
	for _, r := range runs {
		if r.GPU == gpu {
			dates = append(dates, r.Date)
		}
	}
	slices.Sort(dates)
	if len(dates) == 0 || dates[0] == dates[len(dates)-1] {
		return strings.Join(dates[:min(1, len(dates))], "")
	}
	return dates[0] + " to " + dates[len(dates)-1]
}

// sizeTicks marks each power of two from min to max on the N axis: 16K,
// 32K, …, 1M, 4M.
func sizeTicks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for e := int(math.Ceil(math.Log2(lo))); e <= int(math.Floor(math.Log2(hi))); e++ {
		n := 1 << e
		var label string
		switch {
		case n >= 1<<20:
			label = fmt.Sprintf("%dM", n>>20)
		case n >= 1<<10:
			label = fmt.Sprintf("%dK", n>>10)
		default:
			label = fmt.Sprint(n)
		}
		ticks = append(ticks, plot.Tick{Value: float64(n), Label: label})
	}
	return ticks
}

// rateTicks marks the GI/s axis every step, with thousands separated.
func rateTicks(step float64) plot.Ticker {
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		var ticks []plot.Tick
		for v := math.Ceil(lo/step) * step; v <= hi; v += step {
			ticks = append(ticks, plot.Tick{Value: v, Label: thousands(int(v))})
		}
		return ticks
	})
}

// thousands writes v with commas between groups of three digits.
func thousands(v int) string {
	s := fmt.Sprint(v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Chart draws GI/s against N for the runs on gpu.
func Chart(runs []*Run, gpu string) (*plot.Plot, error) {
	lines, err := collect(runs, gpu)
	if err != nil {
		return nil, err
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("N-body speed on %s, nbody-go beside NVIDIA's CUDA sample (%s)", gpu, dateRange(runs, gpu))
	p.Title.TextStyle.Font = font.From(sans, 14)
	p.Title.Padding = vg.Points(8)
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = font.From(sans, 12)
		ax.Tick.Label.Font = font.From(sans, 11)
	}
	p.X.Label.Text = "bodies N (log scale)"
	p.Y.Label.Text = "billion interactions per second (GI/s)"
	p.Legend.TextStyle.Font = font.From(sans, 11)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(10), -vg.Points(6)
	p.Legend.ThumbnailWidth = vg.Points(30)
	p.Legend.Padding = vg.Points(1.5)

	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 0xdd}
	grid.Horizontal.Color = color.Gray{Y: 0xdd}
	p.Add(grid)

	lo, hi, top := math.Inf(1), math.Inf(-1), 0.0
	for _, s := range lines {
		for _, pt := range s.points {
			lo = min(lo, float64(pt.N))
			hi = max(hi, float64(pt.N))
			top = max(top, pt.GIs)
		}
		if err := addSeries(p, s); err != nil {
			return nil, err
		}
	}
	p.X.Scale = plot.LogScale{}
	p.X.Min, p.X.Max = lo/1.25, hi*1.7 // room right of the last point for its label
	p.X.Tick.Marker = plot.TickerFunc(sizeTicks)
	const step = 500
	p.Y.Min, p.Y.Max = 0, math.Ceil(top*1.04/step)*step
	p.Y.Tick.Marker = rateTicks(step)
	return p, nil
}

// WritePNG renders p as a PNG of the chart's size to w.
func WritePNG(w io.Writer, p *plot.Plot) error {
	c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi))
	p.Draw(draw.New(c))
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(w); err != nil {
		return fmt.Errorf("writing PNG: %w", err)
	}
	return nil
}
