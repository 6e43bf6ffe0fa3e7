//go:build race

package yamlsyntax

// raceEnabled scales the reparse tests down under the race detector, which
// slows parsing tenfold.
const raceEnabled = true
