package lsp

import (
	"context"
	"hash/fnv"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
)

// scheduler runs analyses: at most one run per document at a time, on the
// connection-scoped context. A change while a run is in flight cancels it
// and marks the document dirty; the worker then analyses the newest
// snapshot. There is no fixed debounce: a document is analysed as soon as
// no further message is already waiting in the input buffer (kickIdle),
// which coalesces a burst of edits that has arrived without delaying the
// last one.
type scheduler struct {
	s   *server
	sem chan struct{} // bounds concurrent analyses

	mu       sync.Mutex
	docs     map[string]*docState
	deferred map[string]bool // waiting for the input to run dry
	stopped  bool
	wg       sync.WaitGroup
}

type docState struct {
	running bool
	dirty   bool
	cancel  context.CancelFunc

	pubMu     sync.Mutex // held across the check-and-send of a publish
	published bool       // something non-empty or empty was published
	lastKey   uint64
	lastLen   int
	// closed is written under scheduler.mu and read by publish under
	// pubMu only, hence atomic.
	closed atomic.Bool
}

func newScheduler(s *server) *scheduler {
	return &scheduler{s: s, sem: make(chan struct{}, max(1, runtime.GOMAXPROCS(0))), docs: map[string]*docState{}, deferred: map[string]bool{}}
}

// schedule asks for the document to be (re-)analysed. inline is true when
// called from a notification handler on the reading goroutine; then the run
// waits while more input is already buffered.
func (sc *scheduler) schedule(u string, inline bool) {
	if sc.s.capsSnapshot().pullDiagnostics {
		return // the client asks; nothing to push
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.stopped {
		return
	}
	st := sc.docs[u]
	if st == nil {
		st = &docState{}
		sc.docs[u] = st
	}
	st.closed.Store(false)
	st.dirty = true
	if st.running {
		if st.cancel != nil {
			st.cancel()
		}
		return
	}
	if inline && sc.s.stream != nil && sc.s.stream.inputPending() {
		sc.deferred[u] = true
		return
	}
	sc.startLocked(u, st)
}

func (sc *scheduler) startLocked(u string, st *docState) {
	delete(sc.deferred, u)
	st.running = true
	sc.wg.Add(1)
	go sc.worker(u, st)
}

// busy reports whether an analysis is running or waiting to start.
func (sc *scheduler) busy() bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if len(sc.deferred) > 0 {
		return true
	}
	for _, st := range sc.docs {
		if st.running {
			return true
		}
	}
	return false
}

// kickIdle starts the runs deferred while input was pending. It is called
// on the reading goroutine when the input runs dry.
func (sc *scheduler) kickIdle() {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.stopped {
		return
	}
	for u := range sc.deferred {
		if st := sc.docs[u]; st != nil && !st.running && st.dirty {
			sc.startLocked(u, st)
		}
		delete(sc.deferred, u)
	}
}

func (sc *scheduler) worker(u string, st *docState) {
	defer sc.wg.Done()
	defer sc.s.recoverLog("analysis of " + u)
	for {
		sc.mu.Lock()
		snap := sc.s.docs.get(u)
		if sc.stopped || !st.dirty || st.closed.Load() || snap == nil {
			st.running = false
			st.cancel = nil
			sc.mu.Unlock()
			sc.s.startWarmUp()
			return
		}
		st.dirty = false
		ctx, cancel := context.WithCancel(sc.s.ctx)
		st.cancel = cancel
		sc.mu.Unlock()

		res, ours := sc.s.analyse(ctx, snap)
		memory.startedUp()
		superseded := ctx.Err() != nil
		cancel()
		if superseded {
			continue
		}
		if ours && res != nil {
			sc.publish(u, st, snap, sc.s.toDiagnostics(snap, res))
			if res.Doc != nil && res.FullBecause == "" && snap.File.Len() >= heavyText {
				// A whole-file analysis of a large file that no edit
				// asked for (an open, a configuration change) leaves its
				// transient garbage (go.yaml.in's tree, the rules'
				// scratch) on a heap the collector lets grow: collect
				// it now, while the user reads the diagnostics, rather
				// than in the middle of their first keystroke. (An edit
				// analysed whole is followed by the next keystroke: the
				// collector's pacing handles those.)
				memory.collectSoon()
			}
		} else if !ours {
			sc.publish(u, st, snap, nil) // clears what an earlier configuration published
		}
	}
}

// publish sends the diagnostics of snap unless the document has moved on
// or the same set was published last.
func (sc *scheduler) publish(u string, st *docState, snap *Snapshot, diags []protocol.Diagnostic) {
	st.pubMu.Lock()
	defer st.pubMu.Unlock()
	cur := sc.s.docs.get(u)
	if st.closed.Load() || cur != snap {
		sc.s.log.Debug("dropping diagnostics of a superseded version", "uri", u, "version", snap.Version)
		return
	}
	if diags == nil {
		if !st.published || st.lastLen == 0 {
			return
		}
		diags = []protocol.Diagnostic{}
	}
	key, n := hashDiagnostics(diags)
	if st.published && key == st.lastKey && n == st.lastLen {
		return
	}
	err := sc.s.client.PublishDiagnostics(sc.s.ctx, &protocol.PublishDiagnosticsParams{
		URI: uri.URI(u), Version: protocol.NewOptional(snap.Version), Diagnostics: diags,
	})
	if err != nil {
		sc.s.log.Warn("publishDiagnostics failed", "uri", u, "error", err)
		return
	}
	st.published, st.lastKey, st.lastLen = true, key, len(diags)
}

func hashDiagnostics(d []protocol.Diagnostic) (uint64, int) {
	b, err := protocol.Marshal(d)
	if err != nil {
		return 0, -1
	}
	h := fnv.New64a()
	_, _ = h.Write(b)
	return h.Sum64(), len(d)
}

// closed cancels the document's analysis and clears its diagnostics.
func (sc *scheduler) closed(u string) {
	sc.mu.Lock()
	st := sc.docs[u]
	delete(sc.docs, u)
	delete(sc.deferred, u)
	if st != nil {
		st.closed.Store(true)
		if st.cancel != nil {
			st.cancel()
		}
	}
	sc.mu.Unlock()
	if st == nil {
		return
	}
	st.pubMu.Lock()
	defer st.pubMu.Unlock()
	if st.published {
		err := sc.s.client.PublishDiagnostics(sc.s.ctx, &protocol.PublishDiagnosticsParams{URI: uri.URI(u), Diagnostics: []protocol.Diagnostic{}})
		if err != nil {
			sc.s.log.Warn("publishDiagnostics failed", "uri", u, "error", err)
		}
	}
}

// stopAll cancels every run (shutdown).
func (sc *scheduler) stopAll() {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.stopped = true
	for _, st := range sc.docs {
		if st.cancel != nil {
			st.cancel()
		}
	}
}

func (sc *scheduler) wait() { sc.wg.Wait() }

// analyse runs the rules on snap (once per snapshot; concurrent callers
// share the run). ours is false when the document is not a prefect.yaml.
// It returns a nil result when ctx is cancelled.
func (s *server) analyse(ctx context.Context, snap *Snapshot) (res *analysis.Result, ours bool) {
	if isPython(snap.Path) {
		return s.analysePython(ctx, snap)
	}
	if snap.Path == "" || !isYAML(snap.Path) {
		return nil, false
	}
	cfg, probs, _ := s.projectConfig(snap.Path)
	if !s.handles(snap.Path, cfg) {
		return nil, false
	}
	snap.anMu.Lock()
	defer snap.anMu.Unlock()
	if r := snap.Result(); r != nil {
		return r, true
	}
	select {
	case s.sched.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, true
	}
	defer func() { <-s.sched.sem }()
	start := time.Now()
	snap.mu.Lock()
	prev := snap.prev
	snap.mu.Unlock()
	in := analysis.Input{Path: snap.Path, File: snap.File, Config: cfg, ConfigProblems: probs, Env: s.env}
	var r *analysis.Result
	if prev != nil {
		// An edit: analyse what changed when the change allows it.
		r = analysis.RunIncrementalAround(ctx, prev, in, s.rules, func(full func()) { memory.heavyWork(snap.File.Len(), full) })
	} else {
		memory.heavyWork(snap.File.Len(), func() { r = analysis.Run(ctx, in, s.rules) })
	}
	if r == nil || ctx.Err() != nil {
		return nil, true
	}
	if prev != nil && prev.Doc != nil && r.Doc == nil && snap.File.Len() >= heavyText && !snap.keepsTree(prev.Doc) {
		// The earlier version's whole tree is garbage now.
		memory.collectSoon()
	}
	s.log.Debug("analysed", "uri", snap.URI, "version", snap.Version, "bytes", snap.File.Len(), "diagnostics", len(r.Diagnostics), "incremental", r.Incremental(), "full-because", r.FullBecause, "took", time.Since(start))
	for _, e := range r.RuleErrors {
		s.log.Error("rule failed", "uri", snap.URI, "error", e)
	}
	snap.setResult(r)
	return r, true
}

// resultFor returns the analysis of snap, running it on the caller's
// context when the background run has not finished.
func (s *server) resultFor(ctx context.Context, snap *Snapshot) *analysis.Result {
	if snap == nil {
		return nil
	}
	if r := snap.Result(); r != nil {
		return r
	}
	r, _ := s.analyse(ctx, snap)
	return r
}

// ---- pull diagnostics ----

func (s *server) Diagnostic(ctx context.Context, p *protocol.DocumentDiagnosticParams) (protocol.DocumentDiagnosticReport, error) {
	snap := s.anySnapshot(ctx, p.TextDocument.URI)
	rep := &protocol.RelatedFullDocumentDiagnosticReport{}
	rep.Kind = string(protocol.DocumentDiagnosticReportKindFull)
	rep.Items = []protocol.Diagnostic{}
	if snap == nil {
		return rep, nil
	}
	res, ours := s.analyse(ctx, snap)
	if ctx.Err() != nil {
		return nil, protocol.ErrRequestCancelled
	}
	if ours && res != nil {
		rep.Items = s.toDiagnostics(snap, res)
	}
	key, n := hashDiagnostics(rep.Items)
	id := resultID(key, n)
	if p.PreviousResultID != nil && *p.PreviousResultID == id {
		un := &protocol.RelatedUnchangedDocumentDiagnosticReport{}
		un.Kind = string(protocol.DocumentDiagnosticReportKindUnchanged)
		un.ResultID = id
		return un, nil
	}
	rep.ResultID = &id
	return rep, nil
}

func resultID(key uint64, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 24)
	for i := 60; i >= 0; i -= 4 {
		b = append(b, digits[(key>>uint(i))&0xf])
	}
	return string(b) + "-" + itoa(n)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}

// ---- conversion ----

func (s *server) toDiagnostics(snap *Snapshot, res *analysis.Result) []protocol.Diagnostic {
	enc := s.encoding()
	out := make([]protocol.Diagnostic, 0, len(res.Diagnostics))
	others := map[string]*source.File{}
	for i := range res.Diagnostics {
		d := &res.Diagnostics[i]
		pd := protocol.Diagnostic{
			Range:    toRange(snap.File, d.Span, enc),
			Severity: toSeverity(d.Severity),
			Code:     protocol.String(d.RuleID),
			Source:   protocol.NewOptional("prefect-lsp"),
			Message:  protocol.String(d.Message),
		}
		if r := s.ruleBy[d.RuleID]; r != nil {
			pd.CodeDescription = protocol.CodeDescription{Href: uri.URI(r.DocsURL())}
		}
		var tags []protocol.DiagnosticTag
		for _, t := range d.Tags {
			switch t {
			case analysis.TagUnnecessary:
				tags = append(tags, protocol.DiagnosticTagUnnecessary)
			case analysis.TagDeprecated:
				tags = append(tags, protocol.DiagnosticTagDeprecated)
			}
		}
		if len(tags) > 0 {
			pd.Tags = protocol.NewDiagnosticTags(tags...)
		}
		for _, rel := range d.Related {
			loc := protocol.Location{URI: uri.URI(snap.URI), Range: toRange(snap.File, rel.Span, enc)}
			if rel.Path != "" && rel.Path != snap.Path {
				f := others[rel.Path]
				if f == nil {
					data, err := s.env.Read(rel.Path)
					if err != nil {
						data = nil
					}
					f = source.NewFile(rel.Path, string(data))
					others[rel.Path] = f
				}
				loc = protocol.Location{URI: uriOf(rel.Path), Range: toRange(f, rel.Span, enc)}
			}
			pd.RelatedInformation = append(pd.RelatedInformation, protocol.DiagnosticRelatedInformation{Location: loc, Message: rel.Message})
		}
		out = append(out, pd)
	}
	return out
}

func toSeverity(s analysis.Severity) protocol.DiagnosticSeverity {
	switch s {
	case analysis.Warning:
		return protocol.DiagnosticSeverityWarning
	case analysis.Information:
		return protocol.DiagnosticSeverityInformation
	case analysis.Hint:
		return protocol.DiagnosticSeverityHint
	}
	return protocol.DiagnosticSeverityError
}

func toRange(f *source.File, sp source.Span, enc source.Encoding) protocol.Range {
	r := f.Range(sp, enc)
	return protocol.Range{
		Start: protocol.Position{Line: uint32(r.Start.Line), Character: uint32(r.Start.Character)},
		End:   protocol.Position{Line: uint32(r.End.Line), Character: uint32(r.End.Character)},
	}
}

func toSourceRange(r protocol.Range) source.Range {
	return source.Range{
		Start: source.Position{Line: int(r.Start.Line), Character: int(r.Start.Character)},
		End:   source.Position{Line: int(r.End.Line), Character: int(r.End.Character)},
	}
}

func toPosition(f *source.File, off int, enc source.Encoding) protocol.Position {
	p := f.Position(off, enc)
	return protocol.Position{Line: uint32(p.Line), Character: uint32(p.Character)}
}

// offsetOf converts an LSP position into a byte offset of snap's text;
// positions past the end clamp to it.
func (s *server) offsetOf(snap *Snapshot, p protocol.Position) int {
	return snap.File.Offset(source.Position{Line: int(p.Line), Character: int(p.Character)}, s.encoding())
}
