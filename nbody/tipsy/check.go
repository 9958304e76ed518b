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

// checkBodies reports the first particle whose body values cannot be
// simulated: a mass that is negative or not finite, or a position,
// velocity or softening length that is not finite. Bodies are numbered in
// Bodies' order.
func (s *Snapshot) checkBodies() error {
	body := 0
	for i, p := range s.Gas {
		if problem := bodyProblem(p.Mass, p.Pos, p.Vel, p.HSmooth, "hsmooth"); problem != "" {
			return fmt.Errorf("gas particle %d (body %d): %s", i, body, problem)
		}
		body++
	}
	for i, p := range s.Dark {
		if problem := bodyProblem(p.Mass, p.Pos, p.Vel, p.Eps, "eps"); problem != "" {
			return fmt.Errorf("dark particle %d (body %d): %s", i, body, problem)
		}
		body++
	}
	for i, p := range s.Star {
		if problem := bodyProblem(p.Mass, p.Pos, p.Vel, p.Eps, "eps"); problem != "" {
			return fmt.Errorf("star particle %d (body %d): %s", i, body, problem)
		}
		body++
	}
	return nil
}

// bodyProblem describes what is wrong with one particle's body values, or
// returns "" when nothing is. A negative mass is refused because no tipsy
// writer makes one: it means a corrupt or misread file.
func bodyProblem(mass float32, pos, vel [3]float32, w float32, wName string) string {
	switch {
	case !finite(mass):
		return fmt.Sprintf("mass is %v", mass)
	case mass < 0:
		return fmt.Sprintf("negative mass %v", mass)
	case !finite(pos[0]) || !finite(pos[1]) || !finite(pos[2]):
		return fmt.Sprintf("position is %v", pos)
	case !finite(vel[0]) || !finite(vel[1]) || !finite(vel[2]):
		return fmt.Sprintf("velocity is %v", vel)
	case !finite(w):
		return fmt.Sprintf("%s is %v", wName, w)
	}
	return ""
}

func finite(v float32) bool {
	f := float64(v)
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}
