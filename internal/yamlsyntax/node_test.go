package yamlsyntax

import (
	"testing"
	"unsafe"
)

// An open document keeps one Node per YAML node (72,000 at 1,000
// realistic deployments): a field added to Node costs that many times its
// size. Rare data goes to nodeProps, collection data to collection.
func TestNodeStaysSmall(t *testing.T) {
	if got := unsafe.Sizeof(Node{}); got > 64 {
		t.Errorf("Node is %d bytes; keep it at 64 (move rare fields to nodeProps)", got)
	}
}

// Tags outside PyYAML's set are kept as written; the known ones read back
// as their full names.
func TestTags(t *testing.T) {
	d := Parse("t.yaml", "a: !Ref x\nb: !!str 1\nc: 1\nd: [1]\ne: {f: 1}\ng: !custom [1]\ni: &x 1\nh: *x\n")
	want := map[string]string{"a": "!Ref", "b": TagStr, "c": TagInt, "d": TagSeq, "e": TagMap, "g": "!custom", "i": TagInt, "h": ""}
	for key, tag := range want {
		p, ok := d.Root.Get(key)
		if !ok {
			t.Fatalf("no key %s", key)
		}
		if got := p.Value.Tag(); got != tag {
			t.Errorf("%s: tag %q, want %q", key, got, tag)
		}
	}
	if got := len(EmptySequence().Content()); got != 0 || EmptySequence().Tag() != TagSeq {
		t.Errorf("EmptySequence: %d items, tag %q", got, EmptySequence().Tag())
	}
}
