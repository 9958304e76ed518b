package tipsy

import (
	"encoding/binary"
	"math"
)

// byteOrder both decodes and appends, as binary.LittleEndian and
// binary.BigEndian do.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// orderOf returns the byte order of a concrete format (Native or Standard).
func orderOf(f Format) byteOrder {
	if f == Standard {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// fieldReader takes fixed-size values off the front of a record's bytes;
// the caller hands it exactly the record's size.
type fieldReader struct {
	order byteOrder
	b     []byte
}

func (r *fieldReader) u32() uint32 {
	v := r.order.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *fieldReader) i32() int32   { return int32(r.u32()) }
func (r *fieldReader) f32() float32 { return math.Float32frombits(r.u32()) }

func (r *fieldReader) vec() [3]float32 { return [3]float32{r.f32(), r.f32(), r.f32()} }

func (r *fieldReader) f64() float64 {
	v := math.Float64frombits(r.order.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

// fieldWriter appends values in a byte order.
type fieldWriter struct {
	order byteOrder
	b     []byte
}

func (w *fieldWriter) u32(v uint32)  { w.b = w.order.AppendUint32(w.b, v) }
func (w *fieldWriter) i32(v int32)   { w.u32(uint32(v)) }
func (w *fieldWriter) f32(v float32) { w.u32(math.Float32bits(v)) }
func (w *fieldWriter) f64(v float64) { w.b = w.order.AppendUint64(w.b, math.Float64bits(v)) }

func (w *fieldWriter) vec(v [3]float32) {
	for _, x := range v {
		w.f32(x)
	}
}

// decodeHeader reads the header's 28 bytes of fields (not its padding).
func decodeHeader(b []byte, order byteOrder) Header {
	r := fieldReader{order, b[:headerFieldsSize]}
	return Header{Time: r.f64(), NBodies: r.i32(), NDim: r.i32(), NSph: r.i32(), NDark: r.i32(), NStar: r.i32()}
}

func appendHeader(b []byte, order byteOrder, h Header) []byte {
	w := fieldWriter{order, b}
	w.f64(h.Time)
	for _, v := range []int32{h.NBodies, h.NDim, h.NSph, h.NDark, h.NStar} {
		w.i32(v)
	}
	return w.b
}

func decodeGas(b []byte, order byteOrder) GasParticle {
	r := fieldReader{order, b[:gasSize]}
	return GasParticle{Mass: r.f32(), Pos: r.vec(), Vel: r.vec(), Rho: r.f32(), Temp: r.f32(),
		HSmooth: r.f32(), Metals: r.f32(), Phi: r.f32()}
}

func appendGas(b []byte, order byteOrder, p GasParticle) []byte {
	w := fieldWriter{order, b}
	w.f32(p.Mass)
	w.vec(p.Pos)
	w.vec(p.Vel)
	for _, v := range []float32{p.Rho, p.Temp, p.HSmooth, p.Metals, p.Phi} {
		w.f32(v)
	}
	return w.b
}

func decodeDark(b []byte, order byteOrder) DarkParticle {
	r := fieldReader{order, b[:darkSize]}
	return DarkParticle{Mass: r.f32(), Pos: r.vec(), Vel: r.vec(), Eps: r.f32(), IDPhi: IDPhi(r.u32())}
}

func appendDark(b []byte, order byteOrder, p DarkParticle) []byte {
	w := fieldWriter{order, b}
	w.f32(p.Mass)
	w.vec(p.Pos)
	w.vec(p.Vel)
	w.f32(p.Eps)
	w.u32(uint32(p.IDPhi))
	return w.b
}

func decodeStar(b []byte, order byteOrder) StarParticle {
	r := fieldReader{order, b[:starSize]}
	return StarParticle{Mass: r.f32(), Pos: r.vec(), Vel: r.vec(), Metals: r.f32(), TForm: r.f32(),
		Eps: r.f32(), IDPhi: IDPhi(r.u32())}
}

func appendStar(b []byte, order byteOrder, p StarParticle) []byte {
	w := fieldWriter{order, b}
	w.f32(p.Mass)
	w.vec(p.Pos)
	w.vec(p.Vel)
	for _, v := range []float32{p.Metals, p.TForm, p.Eps} {
		w.f32(v)
	}
	w.u32(uint32(p.IDPhi))
	return w.b
}
