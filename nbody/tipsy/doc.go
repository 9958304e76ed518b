// Package tipsy reads and writes tipsy snapshots, the particle files of
// NVIDIA's CUDA nbody sample (-tipsy) and of the simulation codes that made
// the format.
//
// # Layouts
//
// A header, then the particles' records, all float32 unless noted:
//
//	header  time (float64), nbodies, ndim, nsph, ndark, nstar (int32),
//	        then, in most files, 4 bytes of padding (32 bytes; 28 without)
//	gas     nsph × 48 bytes: mass, pos[3], vel[3], rho, temp, hsmooth, metals, phi
//	dark    ndark × 36 bytes: mass, pos[3], vel[3], eps, phi
//	star    nstar × 44 bytes: mass, pos[3], vel[3], metals, tform, eps, phi
//
// [Native] is the sample's: its C structures as they lie in memory, so
// little-endian (it runs on x86-64 and little-endian Arm; this package reads
// native files as little-endian on every host), the header padded by the
// compiler to 32 bytes of whatever memory held (f6 7f 00 00 in the sample's
// galaxy file), and an int32 particle id where dark and star records have
// phi. [Standard] is big-endian (XDR) with a float32 phi; XDR writers pad the
// header to 32 bytes, others write its 28 bytes of fields alone.
//
// # Reading
//
// [Read] with [Auto] decides from the header and the size alone: the
// dimension count can be 2 or 3 in only one byte order, and a padded header
// makes the file 4 bytes longer than the counts' records need. Every count is
// checked against the size before anything is allocated from it, so a short
// file that claims 2^31 bodies costs nothing. A [Snapshot] keeps every field
// and the header's padding, so writing back what was read gives the same
// bytes.
//
// # Bodies
//
// Every particle becomes a body, in the file's order: gas, dark, star. The
// sample takes nbodies records, the first ndark as dark and the rest as star,
// expecting no gas; for its files (nsph = 0) the two agree. A body's position
// is (x, y, z, mass) and its velocity (vx, vy, vz, eps), the softening length
// in the fourth slot as the sample has it; gas has no eps, and its hsmooth
// stands in. The sample then pads the bodies with massless ones at the origin
// to a multiple of its block size (galaxy_20K.bin: "Read 20224 bodies"); this
// package does not.
//
// Values must be finite, masses non-negative, and none beyond ±1.8e19, whose
// square overflows float32: reading and writing refuse anything else, so that
// every file that reads can be written back and the other way round. Values
// that large come from records in another byte order than their header, and
// the error says so.
//
// # Files
//
// [ReadFile] reads only regular files, refusing a named pipe or a device
// without blocking on it. [WriteFile] never leaves a half-written snapshot
// where an earlier one stood: it writes a temporary file beside the target
// and renames it over it. [CheckWritable] applies WriteFile's rules to a path
// ahead of time, so that a program can refuse it before a long run.
package tipsy
