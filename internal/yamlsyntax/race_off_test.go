//go:build !race

package yamlsyntax

const raceEnabled = false
