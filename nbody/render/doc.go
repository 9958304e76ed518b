// Package render draws bodies the way the CUDA nbody sample's window shows
// them, without a window: a perspective camera placed by the demo preset,
// every body an additive glowing sprite in the sample's colours, and the
// accumulated light tone-mapped to 8-bit images that can be written as an
// animated GIF or a PNG.
//
// What is taken from the sample (render_particles.cpp and nbody.cpp):
//   - the view: the scene is translated by the preset's camera vector, e.g.
//     (0, −2, −100), and projected with gluPerspective(60°, aspect, 0.1,
//     1000); world +x is right in the image and +y is up;
//   - the sprite: its diameter in pixels is 500·pointSize / (1 + distance
//     to the eye plane), at least 1, for the sample's 720×480 window (ours
//     scales it with the image height so that larger images look alike);
//     its profile is the sample's Hermite falloff 1 − 3d² + 2d³, applied
//     twice because the sample blends with the texture's alpha as well;
//   - the colours: a base colour, orange (1, 0.6, 0.3) in single precision
//     and green (0.4, 0.8, 0.1) in double, tinted per body by
//     0.6 + 0.4·c with c a random colour fixed for each body.
//
// Where the sample's frame buffer clips at 1, ours tone-maps
// 1 − exp(−exposure·light), which equals the sample's result where light
// is faint and turns dense regions white without a hard edge.
package render
