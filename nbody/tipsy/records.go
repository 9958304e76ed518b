package tipsy

import "math"

// Sizes in bytes of the header's fields, its padding and each record.
const (
	headerFieldsSize = 28 // time (float64) and five int32 counts
	headerPadSize    = 4  // the word that pads the header to 32 bytes
	gasSize          = 48
	darkSize         = 36
	starSize         = 44
)

// Header is a tipsy file's header.
type Header struct {
	Time    float64 // the snapshot's simulation time
	NBodies int32   // NSph + NDark + NStar
	NDim    int32   // 2 or 3; records hold three coordinates either way
	NSph    int32   // gas particles
	NDark   int32   // dark-matter particles
	NStar   int32   // star particles
}

// IDPhi holds the four bytes that end a dark or star record, as they were
// stored: standard tipsy keeps the gravitational potential phi there (a
// float32), the sample's native files a particle id (an int32). Keeping the
// bits rather than either value lets every record be written back exactly.
type IDPhi uint32

// ID returns the bits read as the native layout's int32 particle id.
func (v IDPhi) ID() int32 { return int32(v) }

// Phi returns the bits read as standard tipsy's float32 potential.
func (v IDPhi) Phi() float32 { return math.Float32frombits(uint32(v)) }

// FromID returns the IDPhi that stores a particle id.
func FromID(id int32) IDPhi { return IDPhi(uint32(id)) }

// FromPhi returns the IDPhi that stores a potential.
func FromPhi(phi float32) IDPhi { return IDPhi(math.Float32bits(phi)) }

// GasParticle is a gas (SPH) particle's record.
type GasParticle struct {
	Mass    float32
	Pos     [3]float32
	Vel     [3]float32
	Rho     float32 // density
	Temp    float32 // temperature
	HSmooth float32 // smoothing length; a body's fourth velocity value
	Metals  float32 // metallicity
	Phi     float32 // gravitational potential
}

// DarkParticle is a dark-matter particle's record.
type DarkParticle struct {
	Mass  float32
	Pos   [3]float32
	Vel   [3]float32
	Eps   float32 // softening length; a body's fourth velocity value
	IDPhi IDPhi   // particle id (native) or potential (standard)
}

// StarParticle is a star particle's record.
type StarParticle struct {
	Mass   float32
	Pos    [3]float32
	Vel    [3]float32
	Metals float32 // metallicity
	TForm  float32 // formation time
	Eps    float32 // softening length; a body's fourth velocity value
	IDPhi  IDPhi   // particle id (native) or potential (standard)
}

// Snapshot is the whole content of a tipsy file.
type Snapshot struct {
	// Format is the layout the snapshot was read in and is written in:
	// Native or Standard.
	Format Format
	// Header holds the time and the counts; the counts must agree with
	// the lengths of Gas, Dark and Star.
	Header Header
	// Pad is the header's padding as it was found: 4 bytes for a 32-byte
	// header, nil for a 28-byte one. Write puts it back unchanged.
	Pad  []byte
	Gas  []GasParticle
	Dark []DarkParticle
	Star []StarParticle
}

// N returns the number of particles, which is the number of bodies.
func (s *Snapshot) N() int { return len(s.Gas) + len(s.Dark) + len(s.Star) }
