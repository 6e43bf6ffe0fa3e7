package yamlsyntax

import (
	"math/rand"
	"testing"
)

// TestResolvePlainFastPath checks ResolvePlain's shortcuts against PyYAML's
// patterns (resolvePlainRegexp) on a table and on random scalars drawn from
// the characters that matter to the resolvers.
func TestResolvePlainFastPath(t *testing.T) {
	table := []string{
		"", "~", "~x", "null", "Null", "NULL", "nULL", "nul", "no", "No", "NO", "nO", "yes", "Yes", "YES", "yEs",
		"y", "n", "true", "True", "TRUE", "tRue", "false", "False", "FALSE", "on", "On", "ON", "oN", "off", "Off", "OFF",
		"<<", "<", "<<<", "=", "==", "0", "00", "07", "08", "0755", "0x1F", "0b101", "0o17", "1", "10", "600", "1_000",
		"1.10", "3.0", "1e5", "1.0e+5", "1:30", "1:30.5", "190:20:30", "2024-01-01", "2024-1-1 10:00:00", "2024-01-01T10:00:00Z",
		"12345678", "1234-56-78", "+1", "-1", "-", "+", ".", ".5", ".inf", "-.inf", ".NaN", ".nan", "deployment-1", "eu-west-1",
		"9", "99999999999999999999999", "1 2", "1a", "a1", "Off-peak", "offset", "yesterday", "nothing", "truthy", "oops",
	}
	for _, s := range table {
		if got, want := ResolvePlain(s), resolvePlainRegexp(s); got != want {
			t.Errorf("ResolvePlain(%q) = %s, PyYAML's patterns give %s", s, got, want)
		}
	}
	const alphabet = "0123456789_.:-+eExXbBoO TtZz~<=nNuUlLyYsSfFaAIi"
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 200000; i++ {
		b := make([]byte, 1+r.Intn(12))
		for j := range b {
			b[j] = alphabet[r.Intn(len(alphabet))]
		}
		s := string(b)
		if got, want := ResolvePlain(s), resolvePlainRegexp(s); got != want {
			t.Fatalf("ResolvePlain(%q) = %s, PyYAML's patterns give %s", s, got, want)
		}
	}
}

func FuzzResolvePlain(f *testing.F) {
	for _, s := range []string{"600", "yes", "1.10", "0755", "2024-01-01", "null", "<<"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ResolvePlain(s), resolvePlainRegexp(s); got != want {
			t.Fatalf("ResolvePlain(%q) = %s, PyYAML's patterns give %s", s, got, want)
		}
	})
}
