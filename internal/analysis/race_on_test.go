//go:build race

package analysis_test

// raceEnabled scales the replay tests down under the race detector, which
// slows the analysis tenfold.
const raceEnabled = true
