// Package jsonnum writes the results' figures in JSON at full precision,
// NaN and infinities as null, for every package that has a JSON form.
package jsonnum

import (
	"math"
	"strconv"
)

// Float is a float64 that encodes NaN and infinities as null, which
// encoding/json would otherwise refuse.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// Vector is v as three Floats.
func Vector(v [3]float64) [3]Float {
	return [3]Float{Float(v[0]), Float(v[1]), Float(v[2])}
}
