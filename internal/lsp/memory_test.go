package lsp

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
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

// setGCPercent sets the collector's target for the rest of the test.
func setGCPercent(t *testing.T, p int) {
	before := debug.SetGCPercent(p)
	t.Cleanup(func() { debug.SetGCPercent(before) })
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

func TestHeavyGoalFor(t *testing.T) {
	const kib, mib = 1 << 10, 1 << 20
	for _, c := range []struct {
		live    uint64
		reading int
		want    uint64
	}{
		{0, heavyText, 8 * mib},                            // twice the 4 MiB projected
		{1 * mib, heavyText, 10 * mib},                     // twice 1 + 4 MiB
		{5 * mib, 267 * kib, heavyHeapBudget},              // a compact 1,000-deployment file: 2 × 9.2 MiB is over the budget
		{0, 947 * kib, heavyHeapBudget},                    // 1,000 realistic deployments: 14.8 MiB projected
		{0, 4741 * kib, 4741 * kib * treeBytesPerTextByte}, // 5,000 of them: the projected peak
		{64 * mib, heavyText, 68 * mib},                    // a large live heap: the goal no longer binds (steerLocked)
	} {
		if got := heavyGoalFor(c.live, c.reading); got != c.want {
			t.Errorf("heavyGoalFor(%d MiB, %d KiB) = %d KiB, want %d KiB", c.live/mib, c.reading/kib, got/kib, c.want/kib)
		}
	}
}

func TestGoalTarget(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, goal uint64
		floor      int
		want       int
	}{
		{0, 18 * mib, heavyGCPercent, defaultGCPercent},       // nothing collected yet
		{2 * mib, 18 * mib, heavyGCPercent, defaultGCPercent}, // the goal allows more: at most Go's default
		{9 * mib, 18 * mib, heavyGCPercent, 100},
		{12 * mib, 18 * mib, heavyGCPercent, 50},
		{15 * mib, 18 * mib, heavyGCPercent, heavyGCPercent}, // 20% to the goal: the floor
		{12 * mib, 18 * mib, 64, 64},                         // a smaller file's higher floor
		{20 * mib, 18 * mib, heavyGCPercent, heavyGCPercent}, // past the goal
	} {
		if got := goalTarget(c.live, c.goal, c.floor); got != c.want {
			t.Errorf("goalTarget(%d MiB, %d MiB, %d) = %d, want %d", c.live/mib, c.goal/mib, c.floor, got, c.want)
		}
	}
}

// memoryLimit reads the runtime's memory limit.
func memoryLimit() int64 { return debug.SetMemoryLimit(-1) }

// steered is what the policy set last, and what it expects for live now.
func steered(m *memoryPolicy) (percent, want int, goal uint64) {
	live := liveHeap()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.percent, goalTarget(live, m.goal, m.floor), m.goal
}

func TestHeavyWorkSteersToItsGoalAfterEachCollection(t *testing.T) {
	setGCPercent(t, defaultGCPercent)
	runtime.GC()
	m := newMemoryPolicy(true)
	m.heavyWork(heavyText*4, func() {
		p, want, goal := steered(m)
		if goal == 0 {
			t.Fatalf("no heap goal at the start of a large read with %d KiB live", liveHeap()>>10)
		}
		if p != want || gcPercent() != want {
			t.Errorf("GC percent %d (runtime %d) at the start, want %d for goal %d KiB", p, gcPercent(), want, goal>>10)
		}
		if l := memoryLimit(); l == math.MaxInt64 {
			t.Error("no memory limit while the goal binds")
		}
		// What is live grows by half the goal: the target after the next
		// collection must follow it (the collector's cleanup runs
		// afterGC), without anyone calling the policy.
		tree := make([]*[1 << 10]byte, goal/2/(1<<10))
		for i := range tree {
			tree[i] = new([1 << 10]byte)
		}
		start := p
		deadline := time.Now().Add(10 * time.Second)
		for {
			runtime.GC()
			time.Sleep(time.Millisecond)
			p, want, _ = steered(m)
			if p == want && p != start {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("GC percent %d ten seconds after a collection found %d KiB live, want %d (was %d)", p, liveHeap()>>10, want, start)
			}
		}
		runtime.KeepAlive(tree)
	})
	if l := memoryLimit(); l != math.MaxInt64 {
		t.Errorf("memory limit %d after the heavy work, want none", l)
	}
	if p, want := gcPercent(), targetFor(liveHeap()); p != want {
		t.Errorf("after the heavy work: GC percent %d, want %d for what is live", p, want)
	}
}

func TestHeavyWorkOnALargeLiveHeapKeepsToTheFloor(t *testing.T) {
	setGCPercent(t, defaultGCPercent)
	// So much live that the floor already lets the heap grow past the
	// projected peak: no goal, no limit.
	tree := make([]byte, 2*heavyHeapBudget)
	for i := range tree {
		tree[i] = 1
	}
	runtime.GC()
	m := newMemoryPolicy(true)
	m.heavyWork(heavyText, func() {
		want := heavyTargetFor(liveHeap(), heavyText)
		if p := gcPercent(); p != want {
			t.Errorf("GC percent %d, want the floor %d", p, want)
		}
		if l := memoryLimit(); l != math.MaxInt64 {
			t.Errorf("memory limit %d, want none", l)
		}
	})
	runtime.KeepAlive(tree)
}

func TestHeavyWorkLowersTheTargetUntilTheLastEnds(t *testing.T) {
	setGCPercent(t, defaultGCPercent)
	runtime.GC() // what is live is small
	m := newMemoryPolicy(true)
	// A text whose tree alone exceeds the budget.
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
	// (A collection in the meantime may have steered the target since:
	// within the floor and Go's default.)
	m.heavyWork(heavyText, func() {
		if p := gcPercent(); p < heavyGCPercent || p > defaultGCPercent {
			t.Errorf("during two heavy works: GC percent %d, want %d to %d", p, heavyGCPercent, defaultGCPercent)
		}
	})
	if p := gcPercent(); p < heavyGCPercent || p > defaultGCPercent {
		t.Errorf("while one heavy work still runs: GC percent %d, want %d to %d", p, heavyGCPercent, defaultGCPercent)
	}
	if _, _, goal := steered(m); goal > 0 && memoryLimit() == math.MaxInt64 {
		t.Error("no memory limit while one heavy work still runs with a goal")
	}
	close(inner)
	wg.Wait()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if p, want := gcPercent(), targetFor(s[0].Value.Uint64()); p != want {
		t.Errorf("after the heavy works: GC percent %d, want %d for what is live", p, want)
	}
	if l := memoryLimit(); l != math.MaxInt64 {
		t.Errorf("memory limit %d after the heavy works, want none", l)
	}
}

func TestHeavyWorkOnASmallTextKeepsTheTarget(t *testing.T) {
	setGCPercent(t, defaultGCPercent)
	m := newMemoryPolicy(true)
	m.heavyWork(heavyText-1, func() {
		if p := gcPercent(); p != defaultGCPercent {
			t.Errorf("GC percent %d while reading a small text, want %d", p, defaultGCPercent)
		}
	})
}

func TestMemoryPolicyLeavesAUsersSettingAlone(t *testing.T) {
	setGCPercent(t, 77)
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
	setGCPercent(t, defaultGCPercent)
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
	setGCPercent(t, 77)
	m := newMemoryPolicy(false)
	m.startUp()
	m.startedUp()
	if p := gcPercent(); p != 77 {
		t.Errorf("GC percent %d, want the user's 77", p)
	}
}
