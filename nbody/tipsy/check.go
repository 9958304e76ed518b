package tipsy

import (
	"errors"
	"fmt"
	"math"
)

// check reports the first reason s cannot be written as a tipsy file that
// Read would accept back.
func (s *Snapshot) check() error {
	if s.Format != Native && s.Format != Standard {
		return fmt.Errorf("format %v names no layout (want native or standard)", s.Format)
	}
	h := s.Header
	if h.NDim != 2 && h.NDim != 3 {
		return fmt.Errorf("dimension count %d, want 2 or 3", h.NDim)
	}
	if int64(len(s.Gas)) != int64(h.NSph) || int64(len(s.Dark)) != int64(h.NDark) || int64(len(s.Star)) != int64(h.NStar) {
		return fmt.Errorf("the header counts nsph %d, ndark %d, nstar %d but there are %d gas, %d dark and %d star particles",
			h.NSph, h.NDark, h.NStar, len(s.Gas), len(s.Dark), len(s.Star))
	}
	if int64(s.N()) != int64(h.NBodies) {
		return fmt.Errorf("the header says nbodies %d but there are %d particles", h.NBodies, s.N())
	}
	if s.N() == 0 {
		return errors.New("no particles")
	}
	if s.Pad != nil && len(s.Pad) != headerPadSize {
		return fmt.Errorf("header padding of %d bytes, want %d or none", len(s.Pad), headerPadSize)
	}
	return s.checkBodies()
}

// maxBodyValue is the largest magnitude a body value (a mass, coordinate,
// velocity component or softening length) may have. It is just under
// sqrt(math.MaxFloat32) ≈ 1.8447e19, the largest float32 whose square is
// finite: the fp32 integrators square coordinates' differences and
// velocities, and a value beyond it turns into Inf and then NaN in the
// first step. No simulation writes such values (tipsy files are in
// simulation units, a galaxy spans about 100); they come from a misread
// file, chiefly one whose records are in another byte order than its
// header, where a byte-swapped float32 is as likely to be 1e32 as 1. The
// limit catches that misreading; it does not promise a run free of
// overflow (two coordinates of opposite signs near the limit still
// overflow when their difference is squared). The softening length is not
// squared by our integrators, but it is a body value that is written back,
// and a swapped one is the same evidence, so one rule holds for all four.
const maxBodyValue float32 = 1.8e19

// tooLargeError is a body value beyond ±maxBodyValue; Read adds what it
// most likely means.
type tooLargeError struct {
	what  string // "mass", "position", "velocity", or the softening's name
	value any    // a float32 or a [3]float32, printed as found
}

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("%s %v is too large (beyond ±%v)", e.what, e.value, maxBodyValue)
}

// checkBodies reports the first particle whose body values cannot be
// simulated: a mass that is negative, not finite or too large, or a
// position, velocity or softening length that is not finite or too large
// (see maxBodyValue). Bodies are numbered in Bodies' order.
func (s *Snapshot) checkBodies() error {
	body := 0
	for i, p := range s.Gas {
		if err := bodyProblem(p.Mass, p.Pos, p.Vel, p.HSmooth, "hsmooth"); err != nil {
			return fmt.Errorf("gas particle %d (body %d): %w", i, body, err)
		}
		body++
	}
	for i, p := range s.Dark {
		if err := bodyProblem(p.Mass, p.Pos, p.Vel, p.Eps, "eps"); err != nil {
			return fmt.Errorf("dark particle %d (body %d): %w", i, body, err)
		}
		body++
	}
	for i, p := range s.Star {
		if err := bodyProblem(p.Mass, p.Pos, p.Vel, p.Eps, "eps"); err != nil {
			return fmt.Errorf("star particle %d (body %d): %w", i, body, err)
		}
		body++
	}
	return nil
}

// bodyProblem describes what is wrong with one particle's body values, or
// returns nil when nothing is; a value beyond ±maxBodyValue gives a
// *tooLargeError. A negative mass is refused because no tipsy writer makes
// one: it means a corrupt or misread file.
func bodyProblem(mass float32, pos, vel [3]float32, w float32, wName string) error {
	switch {
	case !finite(mass):
		return fmt.Errorf("mass is %v", mass)
	case mass < 0:
		return fmt.Errorf("negative mass %v", mass)
	case tooLarge(mass):
		return &tooLargeError{"mass", mass}
	case !finite(pos[0]) || !finite(pos[1]) || !finite(pos[2]):
		return fmt.Errorf("position is %v", pos)
	case tooLarge(pos[0]) || tooLarge(pos[1]) || tooLarge(pos[2]):
		return &tooLargeError{"position", pos}
	case !finite(vel[0]) || !finite(vel[1]) || !finite(vel[2]):
		return fmt.Errorf("velocity is %v", vel)
	case tooLarge(vel[0]) || tooLarge(vel[1]) || tooLarge(vel[2]):
		return &tooLargeError{"velocity", vel}
	case !finite(w):
		return fmt.Errorf("%s is %v", wName, w)
	case tooLarge(w):
		return &tooLargeError{wName, w}
	}
	return nil
}

func finite(v float32) bool {
	f := float64(v)
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}

// tooLarge reports whether a finite v is beyond ±maxBodyValue. It compares
// in float32, so that maxBodyValue itself, rounded to float32, is allowed.
func tooLarge(v float32) bool { return v > maxBodyValue || v < -maxBodyValue }
