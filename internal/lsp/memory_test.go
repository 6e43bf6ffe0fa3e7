package lsp

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
)

// The package's other tests run servers that would retune the collector
// under these tests' feet: they get a policy that leaves it alone.
func init() { memory = newMemoryPolicy(false) }

func TestTargetFor(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, defaultGCPercent},
		{1 << 20, defaultGCPercent},
		{garbageHeadroom, defaultGCPercent},
		{2 * garbageHeadroom, 50},
		{4 * garbageHeadroom, 25},
		{5 * garbageHeadroom, liveTreeGCPercent},
		{1 << 40, liveTreeGCPercent},
	} {
		if got := targetFor(c.live); got != c.want {
			t.Errorf("targetFor(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}

// gcPercent reads the collector's target (by setting it back).
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func TestHeavyTargetFor(t *testing.T) {
	const kib, mib = 1 << 10, 1 << 20
	for _, c := range []struct {
		live    uint64
		reading int
		want    int
	}{
		{0, heavyText, defaultGCPercent},           // 4 MiB projected: Go's default
		{5 * mib, 267 * kib, 96},                   // a compact 1,000-deployment file
		{5 * mib, 380 * kib, 64},                   // 400 realistic deployments
		{5 * mib, 947 * kib, heavyGCPercent},       // 1,000 realistic deployments
		{5 * mib, 2 * 267 * kib, 34},               // two compact files read at once
		{64 * mib, heavyText, heavyGCPercent},      // already above the budget
		{0, 64 * mib, heavyGCPercent},              // a huge text
		{heavyHeapBudget / 2, 0, defaultGCPercent}, // (nothing read: the ratio)
	} {
		if got := heavyTargetFor(c.live, c.reading); got != c.want {
			t.Errorf("heavyTargetFor(%d MiB, %d KiB) = %d, want %d", c.live/mib, c.reading/kib, got, c.want)
		}
	}
}

func TestHeavyWorkLowersTheTargetUntilTheLastEnds(t *testing.T) {
	before := debug.SetGCPercent(defaultGCPercent)
	defer debug.SetGCPercent(before)
	m := newMemoryPolicy(true)
	// A text whose tree alone exceeds the budget: the lowest target.
	const big = heavyHeapBudget / treeBytesPerTextByte
	inner := make(chan struct{})
	outerIn := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		m.heavyWork(big, func() {
			close(outerIn)
			<-inner
		})
	}()
	<-outerIn
	m.heavyWork(heavyText, func() {
		if p := gcPercent(); p != heavyGCPercent {
			t.Errorf("during two heavy works: GC percent %d, want %d", p, heavyGCPercent)
		}
	})
	if p := gcPercent(); p != heavyGCPercent {
		t.Errorf("while one heavy work still runs: GC percent %d, want %d", p, heavyGCPercent)
	}
	close(inner)
	wg.Wait()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if p, want := gcPercent(), targetFor(s[0].Value.Uint64()); p != want {
		t.Errorf("after the heavy works: GC percent %d, want %d for what is live", p, want)
	}
}

func TestHeavyWorkOnASmallTextKeepsTheTarget(t *testing.T) {
	before := debug.SetGCPercent(defaultGCPercent)
	defer debug.SetGCPercent(before)
	m := newMemoryPolicy(true)
	m.heavyWork(heavyText-1, func() {
		if p := gcPercent(); p != defaultGCPercent {
			t.Errorf("GC percent %d while reading a small text, want %d", p, defaultGCPercent)
		}
	})
}

func TestMemoryPolicyLeavesAUsersSettingAlone(t *testing.T) {
	before := debug.SetGCPercent(77)
	defer debug.SetGCPercent(before)
	m := newMemoryPolicy(false)
	m.heavyWork(heavyText, func() {
		if p := gcPercent(); p != 77 {
			t.Errorf("GC percent %d during heavy work, want the user's 77", p)
		}
	})
	m.retune()
	m.collectSoon()
	if p := gcPercent(); p != 77 {
		t.Errorf("GC percent %d after, want the user's 77", p)
	}
}

func TestStartUpTargetLastsUntilTheFirstAnalysis(t *testing.T) {
	before := debug.SetGCPercent(defaultGCPercent)
	defer debug.SetGCPercent(before)
	m := newMemoryPolicy(true)
	m.startUp()
	if p := gcPercent(); p != startupGCPercent {
		t.Fatalf("GC percent %d at start-up, want %d", p, startupGCPercent)
	}
	m.startedUp()
	if p, want := gcPercent(), targetFor(liveHeap()); p != want {
		t.Errorf("GC percent %d after the first analysis, want %d for what is live", p, want)
	}
	debug.SetGCPercent(defaultGCPercent)
	m.startUp() // a second server in the same process
	if p := gcPercent(); p != defaultGCPercent {
		t.Errorf("GC percent %d after start-up was over, want %d", p, defaultGCPercent)
	}
}

func TestStartUpLeavesAUsersSettingAlone(t *testing.T) {
	before := debug.SetGCPercent(77)
	defer debug.SetGCPercent(before)
	m := newMemoryPolicy(false)
	m.startUp()
	m.startedUp()
	if p := gcPercent(); p != 77 {
		t.Errorf("GC percent %d, want the user's 77", p)
	}
}
