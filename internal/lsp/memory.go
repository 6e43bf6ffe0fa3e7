package lsp

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// The server's memory policy. A whole-file read of a large prefect.yaml
// holds two syntax trees at once (go.yaml.in's and ours; only part of
// go.yaml.in's when the deployments list loads in parts, see yamlsyntax),
// and an open document's tree stays live afterwards. With Go's default
// collector target (the heap may grow to twice what is live) the
// process's peak memory is set by that transient and by the garbage that
// piles up on top of a large live tree, not by what the server keeps. So:
//
//   - while a large file (heavyText) is read and analysed (heavyWork), the
//     heap may grow by as much as keeps its projected peak (what is live,
//     plus treeBytesPerTextByte for each byte being read, plus the
//     garbage) within heavyHeapBudget, and by at least heavyGCPercent of
//     what is live (the floor, heavyTargetFor): a file of about 256 KiB is
//     read at nearly Go's default target (the 30% target cost it a third
//     of its open time), one of 400 KiB at about 65%, one of a megabyte
//     and more at 30%;
//   - and while what is live is small, the heap may reach the heavy works'
//     goal (heavyGoalFor: their projected peak, and within heavyHeapBudget
//     up to twice it) before its next collection: after each
//     collection (afterGC) the target is set again from what it
//     found live, at most Go's default, never below the floor, until the
//     floor allows more than the goal. A fixed floor collects at every 30%
//     of growth from a nearly empty heap: about 18 collections during the first
//     read of 1,000 realistic deployments, where the goal needs about 8,
//     for the same peak. A memory limit (goalLimit) holds the heap near
//     the goal between a collection and afterGC, while the runtime applies
//     the target set for what was live before to what is live now;
//   - otherwise the heap may grow by garbageHeadroom over what the last
//     collection found live, within liveTreeGCPercent (20%) to 100% of
//     it: a small heap (small files, or a large file edited without
//     requests, whose tree is let go) keeps Go's default and its cheap
//     edits, a large live tree (kept for the next request's Reparse) does
//     not grow by much more than the garbage of an edit; after a Reparse
//     the target is set again from what is live;
//   - when a large file's tree becomes garbage (an edit analysed
//     incrementally drops the last full tree that no later version needs,
//     a tree nobody asked for in maxBaseAge versions is let go, the
//     document closes), collectSoon runs one collection in the
//     background, so that the next allocations reuse its memory instead
//     of growing the heap while the pacer still counts the dead tree as
//     live.
//
//   - a new process starts at startupGCPercent until its first analysis
//     ends (startUp, startedUp): the garbage of its start (package
//     initialisation, the warm-up analysis, the first document's read) is
//     a few MiB, and one collection in the middle of the first document
//     cost about a quarter of a small file's time to its first
//     diagnostics.
//
// A user who sets GOGC or GOMEMLIMIT keeps exactly what they set.

const (
	// heavyGCPercent is the lowest target during whole-file work.
	heavyGCPercent = 30
	// liveTreeGCPercent is the lowest target outside whole-file work: a
	// large file's tree stays live while it is edited (for the next
	// request, see Snapshot.base), and its edits make little garbage.
	// Measured at 1,000 realistic deployments, edits each followed by a
	// request: peak RSS 39.0-41.7 MiB at 30%, 37.0-37.2 at 20%.
	liveTreeGCPercent = 20
	// defaultGCPercent is Go's default target, the highest after start-up.
	defaultGCPercent = 100
	// startupGCPercent is the target until the first analysis ends: Go's
	// minimum heap (4 MiB at 100%) four times over. Measured on the first
	// document of a fresh server (static build, medians of 8 paired runs),
	// the time to its diagnostics at 100% → 200% → 400%: 100 compact
	// deployments (27 KiB) 8.0-8.5 → 6.2 → 6.2 ms (one collection fewer);
	// 100 realistic ones (96 KiB) 16 → 15 → 12 ms; 10 realistic ones
	// 4.7 → 3.3 ms at 200%. Peak RSS: the same within 0.5 MiB, except 250
	// realistic deployments (248 KiB): 27.2 → 28.6 MiB at 400%. Larger
	// files set their own target (heavyWork).
	startupGCPercent = 400
	// garbageHeadroom is how far the heap may grow over what is live, when
	// that is between heavyGCPercent and defaultGCPercent of it.
	garbageHeadroom = 4 << 20
	// heavyHeapBudget is the heap a whole-file read may reach at a target
	// above heavyGCPercent (live and garbage), unless its projected peak is
	// more (heavyGoalFor). With the binary's pages and the runtime's own
	// memory it keeps the process near 30 MiB.
	heavyHeapBudget = 18 << 20
	// treeBytesPerTextByte estimates what a whole-file read holds live per
	// byte of text at its peak (both syntax trees, the model, the rules'
	// shared values). Measured: realistic files keep 10.4 bytes per byte
	// after the analysis and about 14 at its peak; compact ones keep 15.8.
	treeBytesPerTextByte = 16
)

// heavyTargetFor is the collector's target while whole-file reads of
// reading bytes in all run, with live bytes live before them.
func heavyTargetFor(live uint64, reading int) int {
	peak := live + uint64(reading)*treeBytesPerTextByte
	if peak >= heavyHeapBudget {
		return heavyGCPercent
	}
	return int(min(max((heavyHeapBudget-peak)*100/peak, heavyGCPercent), defaultGCPercent))
}

// heavyGoalFor is the heap that whole-file reads of reading bytes in all,
// with live bytes live before them, may reach before a collection while
// what is live is small: their projected peak of what is live, and while
// that is under heavyHeapBudget, up to twice it within the budget.
func heavyGoalFor(live uint64, reading int) uint64 {
	peak := live + uint64(reading)*treeBytesPerTextByte
	return max(peak, min(heavyHeapBudget, 2*peak))
}

// goalTarget is the collector's target that lets a heap of live bytes grow
// to goal: at least floor, at most Go's default (a higher one would also
// let a collection that finds the heap growing run further past its goal:
// the runtime lets it go up to the target's multiple of the goal).
func goalTarget(live, goal uint64, floor int) int {
	p := defaultGCPercent
	if live > 0 && goal < 2*live {
		p = int((goal - min(goal, live)) * 100 / live)
	}
	return max(floor, p)
}

// targetFor is the collector's target for a live heap of live bytes.
func targetFor(live uint64) int {
	if live == 0 {
		return defaultGCPercent
	}
	return int(min(max(garbageHeadroom*100/live, liveTreeGCPercent), defaultGCPercent))
}

var memory = newMemoryPolicy(os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "")

type memoryPolicy struct {
	tune bool // false when the user tuned the collector

	mu       sync.Mutex
	heavy    int    // whole-file works in progress
	reading  int    // the bytes they read, together
	floor    int    // their lowest target (heavyTargetFor)
	goal     uint64 // their heap goal (heavyGoalFor) while it binds, else 0
	watching bool   // a cleanup that calls afterGC is armed
	percent  int    // the target set last
	limit    int64  // the memory limit set last
	busyGC   atomic.Bool
	started  atomic.Bool // startedUp ran
}

func newMemoryPolicy(tune bool) *memoryPolicy {
	return &memoryPolicy{tune: tune, percent: defaultGCPercent, limit: math.MaxInt64}
}

// startUp sets the start-up target (startupGCPercent) in a new process,
// until startedUp.
func (m *memoryPolicy) startUp() {
	if !m.tune || m.started.Load() {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.heavy == 0 && m.percent == defaultGCPercent {
		m.setLocked(startupGCPercent)
	}
}

// startedUp ends the start-up target once: the target follows what is
// live from then on.
func (m *memoryPolicy) startedUp() {
	if m.started.CompareAndSwap(false, true) {
		m.retune()
	}
}

// heavyText is the size from which a whole-file read is heavy work: below
// it the transient is small, and a lowered target would only lower Go's
// minimum heap (4 MB times the target) and collect often for nothing.
const heavyText = 256 << 10

// heavyWork runs f, a whole-file read or analysis of a text of size bytes,
// with the collector's target lowered when the text is large (nested and
// concurrent calls share one lowering).
func (m *memoryPolicy) heavyWork(size int, f func()) {
	if !m.tune || size < heavyText {
		f()
		return
	}
	live := liveHeap()
	m.mu.Lock()
	m.heavy++
	m.reading += size
	m.floor = heavyTargetFor(live, m.reading)
	m.goal = heavyGoalFor(live, m.reading)
	m.steerLocked(live)
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.heavy--
		m.reading -= size
		if m.heavy == 0 {
			m.goal = 0
			m.setLimitLocked(math.MaxInt64)
		}
		m.mu.Unlock()
		m.retune()
	}()
	f()
}

// liveHeap is what the last collection found live.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 {
		return s[0].Value.Uint64()
	}
	return 0
}

// retune sets the collector's target from what the last collection found
// live, unless whole-file work is running.
func (m *memoryPolicy) retune() {
	if !m.tune {
		return
	}
	live := liveHeap()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.heavy == 0 {
		m.setLocked(targetFor(live))
	}
}

func (m *memoryPolicy) setLocked(percent int) {
	if m.percent != percent {
		debug.SetGCPercent(percent)
		m.percent = percent
	}
}

// steerLocked sets the target for the heavy works from what is live: the
// one for their goal (goalTarget) while that is above their floor, the
// floor from then on. Called with m.mu held.
func (m *memoryPolicy) steerLocked(live uint64) {
	if m.goal == 0 || live*uint64(100+m.floor)/100 >= m.goal {
		m.goal = 0
		m.setLocked(m.floor)
		m.setLimitLocked(math.MaxInt64)
		return
	}
	m.setLocked(goalTarget(live, m.goal, m.floor))
	m.setLimitLocked(goalLimit(m.goal))
	if !m.watching {
		m.watching = true
		runtime.AddCleanup(new(gcSentinel), (*memoryPolicy).afterGC, m)
	}
}

// gcSentinel is garbage from birth: the cleanup steerLocked attaches to
// one runs once a collection has found it dead and the sweeper has reached
// its span. It is a large object (over 32 KiB) because the sweeper visits
// those spans first; a small one's cleanup could wait until the
// collection after next, while the runtime applies a stale target.
type gcSentinel [32<<10 + 1]byte

// afterGC steers the heavy works' target from what the collection that
// just ended found live, and watches the next one while their goal binds.
func (m *memoryPolicy) afterGC() {
	live := liveHeap()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.watching = false
	if m.heavy > 0 && m.goal > 0 {
		m.steerLocked(live)
	}
}

// goalLimit is the memory limit that holds the heap near goal until the
// target is set again after a collection: the goal plus the runtime's
// memory that is not heap, or what the process holds now when that is
// more (pages it already has cost no new memory), and 1/19 over that. The
// runtime's scavenger returns free pages to the system to keep what the
// process holds within 95% of a limit: the margin keeps it from returning
// pages that the read is about to use again.
func goalLimit(goal uint64) int64 {
	s := []metrics.Sample{
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}
	metrics.Read(s)
	held := s[0].Value.Uint64() - min(s[0].Value.Uint64(), s[1].Value.Uint64())
	nonHeap := held - min(held, s[2].Value.Uint64()+s[3].Value.Uint64())
	return int64(max(goal+nonHeap, held) * 20 / 19)
}

func (m *memoryPolicy) setLimitLocked(limit int64) {
	if m.limit != limit {
		debug.SetMemoryLimit(limit)
		m.limit = limit
	}
}

// collectSoon starts one garbage collection in the background unless one it
// started is still running, and then retunes the target.
func (m *memoryPolicy) collectSoon() {
	if !m.busyGC.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer m.busyGC.Store(false)
		runtime.GC()
		m.retune()
	}()
}
