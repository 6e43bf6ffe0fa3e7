package yamlsyntax

import (
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// Tags of resolved nodes, as PyYAML's SafeLoader (YAML 1.1) assigns them.
const (
	TagStr       = "tag:yaml.org,2002:str"
	TagInt       = "tag:yaml.org,2002:int"
	TagFloat     = "tag:yaml.org,2002:float"
	TagBool      = "tag:yaml.org,2002:bool"
	TagNull      = "tag:yaml.org,2002:null"
	TagTimestamp = "tag:yaml.org,2002:timestamp"
	TagMerge     = "tag:yaml.org,2002:merge"
	TagValue     = "tag:yaml.org,2002:value"
	TagBinary    = "tag:yaml.org,2002:binary"
	TagMap       = "tag:yaml.org,2002:map"
	TagSeq       = "tag:yaml.org,2002:seq"
	TagOMap      = "tag:yaml.org,2002:omap"
	TagPairs     = "tag:yaml.org,2002:pairs"
	TagSet       = "tag:yaml.org,2002:set"
)

// The implicit resolvers of PyYAML's Resolver, in registration order, with the
// first characters each one is registered for. PyYAML picks the first
// resolver registered for the scalar's first character whose pattern matches.
var implicitResolvers = []struct {
	tag   string
	first string // "" means the empty scalar
	re    *regexp.Regexp
}{
	{TagBool, "yYnNtTfFoO", regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)},
	{TagFloat, "-+0123456789.", regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)},
	{TagInt, "-+0123456789", regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)},
	{TagMerge, "<", regexp.MustCompile(`^(?:<<)$`)},
	{TagNull, "~nN", regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)},
	{TagTimestamp, "0123456789", regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)},
	{TagValue, "=", regexp.MustCompile(`^(?:=)$`)},
}

// ResolvePlain returns the tag PyYAML gives an untagged plain scalar.
//
// It answers the common shapes (words, decimal integers, booleans, nulls)
// without regular expressions and leaves the rest to resolvePlainRegexp,
// PyYAML's patterns; TestResolvePlainFastPath checks that both agree.
func ResolvePlain(text string) string {
	if text == "" {
		return TagNull
	}
	switch c := text[0]; {
	case c >= '1' && c <= '9':
		// A decimal integer such as 600 (the common case); anything else
		// starting with a digit goes to the patterns.
		i := 1
		for i < len(text) && text[i] >= '0' && text[i] <= '9' {
			i++
		}
		if i == len(text) {
			return TagInt
		}
	case c == 'y', c == 'Y', c == 'n', c == 'N', c == 't', c == 'T', c == 'f', c == 'F', c == 'o', c == 'O':
		switch text {
		case "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF":
			return TagBool
		case "null", "Null", "NULL":
			return TagNull
		}
		return TagStr
	case c == '~':
		if text == "~" {
			return TagNull
		}
		return TagStr
	case c == '<':
		if text == "<<" {
			return TagMerge
		}
		return TagStr
	case c == '=':
		if text == "=" {
			return TagValue
		}
		return TagStr
	case c == '-' || c == '+' || c == '.' || c == '0':
	default:
		// No implicit resolver is registered for this first character.
		return TagStr
	}
	return resolvePlainRegexp(text)
}

// resolvePlainRegexp is PyYAML's resolution: the first resolver registered
// for the scalar's first character whose pattern matches.
func resolvePlainRegexp(text string) string {
	if text == "" {
		return TagNull
	}
	c := text[0]
	for _, r := range implicitResolvers {
		if !strings.ContainsRune(r.first, rune(c)) {
			continue
		}
		if r.re.MatchString(text) {
			return r.tag
		}
	}
	return TagStr
}

// Timestamp is a YAML 1.1 timestamp scalar (PyYAML builds a date or datetime).
type Timestamp struct {
	Text string
}

// constructScalar builds the Go value PyYAML's SafeConstructor builds for a
// scalar of the given tag: string, int64 or *big.Int, float64, bool, nil or
// Timestamp. ok is false when PyYAML would fail to construct it.
func constructScalar(tag, text string) (v any, ok bool) {
	switch tag {
	case TagStr:
		return text, true
	case TagNull:
		return nil, true
	case TagBool:
		switch strings.ToLower(text) {
		case "yes", "true", "on":
			return true, true
		case "no", "false", "off":
			return false, true
		}
		return nil, false
	case TagInt:
		return constructInt(text)
	case TagFloat:
		return constructFloat(text)
	case TagTimestamp:
		return Timestamp{Text: text}, true
	}
	return nil, false
}

func constructInt(text string) (any, bool) {
	if len(text) <= 18 && text != "" && text[0] >= '1' && text[0] <= '9' {
		// A plain decimal (the common case) fits an int64 at this length.
		if v, err := strconv.ParseInt(text, 10, 64); err == nil {
			return v, true
		}
	}
	s := strings.ReplaceAll(text, "_", "")
	sign := int64(1)
	if s != "" && (s[0] == '-' || s[0] == '+') {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	var z big.Int
	switch {
	case s == "0":
		return int64(0), true
	case strings.HasPrefix(s, "0b"):
		if _, ok := z.SetString(s[2:], 2); !ok {
			return nil, false
		}
	case strings.HasPrefix(s, "0x"):
		if _, ok := z.SetString(s[2:], 16); !ok {
			return nil, false
		}
	case strings.HasPrefix(s, "0"):
		if _, ok := z.SetString(s[1:], 8); !ok {
			return nil, false
		}
	case strings.Contains(s, ":"):
		base := big.NewInt(1)
		parts := strings.Split(s, ":")
		for i := len(parts) - 1; i >= 0; i-- {
			var d big.Int
			if _, ok := d.SetString(parts[i], 10); !ok {
				return nil, false
			}
			d.Mul(&d, base)
			z.Add(&z, &d)
			base.Mul(base, big.NewInt(60))
		}
	default:
		if _, ok := z.SetString(s, 10); !ok {
			return nil, false
		}
	}
	if sign < 0 {
		z.Neg(&z)
	}
	if z.IsInt64() {
		return z.Int64(), true
	}
	return &z, true
}

func constructFloat(text string) (any, bool) {
	s := strings.ToLower(strings.ReplaceAll(text, "_", ""))
	sign := 1.0
	if s != "" && (s[0] == '-' || s[0] == '+') {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	switch {
	case s == ".inf":
		return sign * math.Inf(1), true
	case s == ".nan":
		return math.NaN(), true
	case strings.Contains(s, ":"):
		parts := strings.Split(s, ":")
		base, v := 1.0, 0.0
		for i := len(parts) - 1; i >= 0; i-- {
			f, err := strconv.ParseFloat(parts[i], 64)
			if err != nil {
				return nil, false
			}
			v += f * base
			base *= 60
		}
		return sign * v, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Python's float() accepts "1." and ".5", which ParseFloat also
		// accepts; anything else here is a resolver/constructor mismatch.
		return nil, false
	}
	return sign * f, true
}
