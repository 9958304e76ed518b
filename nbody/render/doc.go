// Package render draws bodies the way the CUDA nbody sample's window shows
// them, into image files rather than a window.
//
// # Picture
//
// A perspective camera placed by the demo preset sees every body as an
// additive glowing sprite in the sample's colours, tone-mapped; Renderer
// says what is taken from the sample.
//
// # Files
//
// The frames are written as an animated GIF or a PNG; see Recording.
package render
