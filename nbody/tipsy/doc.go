// Package tipsy reads and writes tipsy snapshots: the galaxy files that
// NVIDIA's CUDA nbody sample loads with -tipsy, and the standard tipsy files
// written by the simulation codes that made the format.
//
// # Layouts
//
// Both layouts hold a header and then the particles' records, all float32
// unless noted:
//
//	header  time (float64), nbodies, ndim, nsph, ndark, nstar (int32),
//	        then, in most files, 4 bytes of padding (32 bytes; 28 without)
//	gas     nsph × 48 bytes: mass, pos[3], vel[3], rho, temp, hsmooth, metals, phi
//	dark    ndark × 36 bytes: mass, pos[3], vel[3], eps, phi
//	star    nstar × 44 bytes: mass, pos[3], vel[3], metals, tform, eps, phi
//
// [Native] is the sample's layout. The sample writes and reads its C
// structures as they lie in memory, so its files are in the host's byte
// order (little-endian: every machine it runs on is x86-64 or Arm in
// little-endian mode, and this package reads native files as little-endian
// on every host). The compiler pads its header structure to 32 bytes, and
// the padding holds whatever memory held (the galaxy file that ships with
// the sample has f6 7f 00 00 there); dark and star records carry an int32
// particle id where standard tipsy has phi.
//
// [Standard] is the same header and records in big-endian (XDR) order, with
// a float32 phi. Writers differ on the header: XDR writers add a padding
// word (32 bytes), others write the 28 bytes of fields alone.
//
// # Detection
//
// [Read] with [Auto] decides from the header and the file's size alone: the
// dimension count read little-endian and big-endian can be 2 or 3 in only
// one of the two byte orders, and the file's size tells a padded header
// from an unpadded one (they differ by 4 bytes, and the records' size is
// fixed by the counts). Every count is checked against the size before
// anything is allocated from it, so a short file that claims 2^31 bodies
// costs nothing. A [Snapshot] keeps every field of every record and the
// header's padding bytes, so writing back what was read gives the same
// bytes.
//
// # Bodies
//
// Every particle becomes a body, in the file's order: gas, dark, star. The
// sample takes nbodies records, the first ndark as dark and the rest as
// star, and expects no gas; for its files (nsph = 0) the two agree. A body's
// position is (x, y, z, mass) and its velocity (vx, vy, vz, eps), the
// softening length in the fourth slot as the sample does; gas records have
// no eps, so their smoothing length hsmooth stands in for it. Body values
// must be finite, masses non-negative, and none beyond ±1.8e19, whose
// square overflows float32: reading and writing refuse anything else, so
// that every file that reads can be written back and the other way round.
// Values that large come from a file whose records are in another byte
// order than its header, and the error says so.
//
// The sample then pads the bodies with massless ones at the origin to a
// multiple of its block size (galaxy_20K.bin: "Read 20224 bodies"); this
// package does not pad, and the galaxy gives exactly its 20,000 bodies.
//
// # Files
//
// [ReadFile] reads only regular files, and refuses a named pipe or a device
// without blocking on it. [WriteFile] never leaves a half-written snapshot
// where an earlier one stood: it writes a temporary file beside the target
// and renames it over it. [CheckWritable] applies WriteFile's rules to a
// path ahead of time, so that a program can refuse it before a long run.
package tipsy
