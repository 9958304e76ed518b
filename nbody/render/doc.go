// Package render draws bodies the way the CUDA nbody sample's window shows
// them, without a window: a perspective camera placed by the demo preset,
// every body an additive glowing sprite in the sample's colours, tone-mapped
// to images written as an animated GIF or a PNG (see Renderer for what is
// taken from the sample, and Recording for the files).
package render
