package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
	"github.com/prefect-lsp/prefect-lsp/internal/analysis/rules"
	"github.com/prefect-lsp/prefect-lsp/internal/config"
	"github.com/prefect-lsp/prefect-lsp/internal/source"
	"github.com/prefect-lsp/prefect-lsp/schema"
)

// Options configure Serve. The zero value is usable.
type Options struct {
	// Logger receives the server's logs (stderr in cmd/prefect-lsp); nil
	// discards them. When the client turns tracing on ($/setTrace or the
	// trace.server setting), log lines are also sent as window/logMessage.
	Logger *slog.Logger
	// Version is reported in serverInfo.
	Version string
	// Rules are the rules run; nil means rules.All().
	Rules []*analysis.Rule
	// Features plug in hovers, completions, navigation, inlay hints and
	// links (see Feature).
	Features []Feature
	// EnvValues are the long-lived shared services put in every
	// analysis.Env (e.g. a flow code index); read-only once passed.
	EnvValues map[string]any
	// DependsOn reports whether the prefect.yaml at yamlPath (with project
	// root root) must be re-analysed when the file at changed was created,
	// changed or deleted. Nil means: any .py file under root, and any
	// pyproject.toml or prefect-lsp.toml in root or above it.
	DependsOn func(yamlPath, root, changed string) bool
	// FileChanged is told about every watched-file event and every save,
	// before dependent documents are re-analysed (to drop caches).
	FileChanged func(path string)
	// FilesWatched is called once the client has accepted the file
	// watchers: from then on every creation, change and deletion of a
	// watched file reaches FileChanged, so caches of the file system may
	// be trusted until it is called.
	FilesWatched func()
	// Explain renders the prefect-lsp.explain command's markdown for a
	// prefect.yaml (path and current text) with the configuration the
	// server analyses it with (project file plus editor settings, e.g. the
	// prefect-lsp.workPools setting). Nil disables the command.
	Explain func(path, text string, cfg *config.Config, problems []config.Problem) string
}

// ErrExitWithoutShutdown is returned by Serve when the client sent exit (or
// closed the connection) without a shutdown request first; the process
// should then exit with status 1.
var ErrExitWithoutShutdown = errors.New("lsp: exit without shutdown")

// CommandExplain is the workspace/executeCommand command that returns
// Options.Explain's markdown for the document whose URI is its first
// argument.
const CommandExplain = "prefect-lsp.explain"

// CodeActionKindFixAll is the source action that applies every safe fix.
const CodeActionKindFixAll = "source.fixAll.prefect-lsp"

// Serve runs the language server on rw (LSP header framing) until the client
// sends exit, the connection ends, or ctx is cancelled. It returns nil after
// a shutdown request followed by exit, ErrExitWithoutShutdown when exit or
// the end of input came without shutdown, and ctx's error when cancelled.
func Serve(ctx context.Context, rw io.ReadWriteCloser, opts Options) error {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := newServer(opts)
	s.log = slog.New(&clientLogHandler{base: log.Handler(), s: s})
	// After exit (or cancellation) closing rw must end the connection at
	// once, even when rw is a blocking pipe the client keeps open.
	rw = newReleasingConn(rw)
	stream := newFrameStream(rw, s.log)
	stream.onIdle = s.sched.kickIdle
	s.stream = stream

	connCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.ctx = connCtx

	// The analysis tables are built at once, alongside the client's own
	// start-up; compiling the schema (only needed to explain violations)
	// waits for the first quiet moment after the first diagnostics, so
	// that it does not compete with them for the CPU.
	memory.startUp()
	go s.prepare()
	warmTimer := time.AfterFunc(warmUpDelay, s.startWarmUp)
	defer warmTimer.Stop()

	conn := jsonrpc2.NewConn(stream, jsonrpc2.WithCodec(codec{}))
	s.conn = conn
	s.client = protocol.ClientDispatcher(conn)
	handler := s.guard(protocol.CancelHandler(protocol.ServerHandler(s, nil)))
	conn.Go(protocol.WithClient(connCtx, s.client), handler)

	var err error
	select {
	case <-conn.Done():
		if s.shutdown.Load() {
			err = nil
		} else if cerr := conn.Err(); cerr != nil {
			err = cerr
		} else {
			err = ErrExitWithoutShutdown
		}
	case <-s.exited:
		if !s.shutdown.Load() {
			err = ErrExitWithoutShutdown
		}
	case <-ctx.Done():
		err = ctx.Err()
	}
	cancel()
	s.sched.stopAll()
	_ = rw.Close()
	select {
	case <-conn.Done():
	case <-time.After(2 * time.Second):
		s.log.Warn("connection did not close within 2s")
	}
	s.sched.wait()
	return err
}

// warmUpSample is a small prefect.yaml analysed once when the server starts.
const warmUpSample = "deployments:\n  - name: warm\n    entrypoint: flows/x.py:main\n    work_pool:\n      name: p\n      job_variables: {image: x}\n    schedules:\n      - cron: \"0 0 * * *\"\n      - interval: 60\n    parameters: {n: 1}\n"

// prepare runs while the client is still initialising: it analyses
// warmUpSample, which builds the tables every analysis uses (the schema
// index, the work-pool catalogue, rule tables) and brings the analysis code
// into memory, so that the first document does not wait for that. It reads
// no file.
func (s *server) prepare() {
	defer s.recoverLog("prepare")
	analysis.Run(s.ctx, analysis.Input{Path: "/prefect-lsp-warm-up/prefect.yaml", Text: warmUpSample, Config: &config.Config{Root: "/prefect-lsp-warm-up"}, Env: &analysis.Env{ReadFile: func(string) ([]byte, error) { return nil, os.ErrNotExist }}}, s.rules)
}

// warmUpDelay is how long a fresh server waits for a first document before
// warming up anyway; warmUpQuiet is how long the client must have sent
// nothing before warm-up starts (an editor is quiet while its user reads
// the first diagnostics; typing goes first).
const (
	warmUpDelay = 300 * time.Millisecond
	warmUpQuiet = 100 * time.Millisecond
)

// startWarmUp starts warmUp once, at the first quiet moment after the first
// analysis was published or warmUpDelay after start. An analysis that needs
// the compiled schema before then compiles it itself.
func (s *server) startWarmUp() {
	s.warmOnce.Do(func() {
		go func() {
			for {
				quiet := time.Since(time.Unix(0, s.lastMessage.Load()))
				if quiet >= warmUpQuiet && !s.sched.busy() {
					s.warmUp()
					return
				}
				select {
				case <-s.ctx.Done():
					return
				case <-time.After(max(warmUpQuiet-quiet, 10*time.Millisecond)):
				}
			}
		}()
	})
}

// warmUp compiles prefect.schema.json with jsonschema (10–15 ms), which
// only explains schema violations: a valid file's diagnostics, hovers and
// completion do not need it. Done in a quiet moment, it does not compete
// with the first analysis, and the first violation the user types is
// explained without that wait.
func (s *server) warmUp() {
	defer s.recoverLog("warm-up")
	defer memory.startedUp() // ends start-up when no document came before
	_, _ = schema.Compile()
}

// server implements protocol.Server.
type server struct {
	protocol.UnimplementedServer

	warmOnce sync.Once
	// lastMessage is when the client last sent something (Unix ns).
	lastMessage atomic.Int64
	// refreshPending is set while a workspace/diagnostic/refresh request
	// is queued and not yet sent (pull clients only), so that a burst of
	// invalidations asks the client once.
	refreshPending atomic.Bool

	opts   Options
	rules  []*analysis.Rule
	ruleBy map[string]*analysis.Rule
	log    *slog.Logger
	ctx    context.Context // connection-scoped
	conn   jsonrpc2.Conn
	client protocol.Client
	stream *frameStream

	docs  *docStore
	sched *scheduler
	env   *analysis.Env

	initialized atomic.Bool
	shutdown    atomic.Bool
	exitOnce    sync.Once
	exited      chan struct{}
	trace       atomic.Value // protocol.TraceValue

	mu       sync.Mutex // guards the fields below
	caps     clientCaps
	enc      source.Encoding
	folders  []string            // workspace folder paths
	settings map[string]settings // by folder path; "" is the global scope
	cfgCache map[string]cachedConfig
}

type cachedConfig struct {
	cfg   *config.Config
	probs []config.Problem
}

// settings are the `prefect-lsp` section of the editor's configuration.
type settings struct {
	config.Settings
	Trace struct {
		Server string `json:"server"`
	} `json:"trace"`
	// Python.Enabled turns the Python deployment service off (default on).
	Python struct {
		Enabled *bool `json:"enabled"`
	} `json:"python"`
}

type clientCaps struct {
	configuration    bool
	watchDynamic     bool
	watchRelative    bool
	pullDiagnostics  bool
	diagRefresh      bool
	snippets         bool
	markdownHover    bool
	markdownComplete bool
	documentChanges  bool
	createFiles      bool
	hierarchicalSyms bool
	relatedInfo      bool
}

func newServer(opts Options) *server {
	rs := opts.Rules
	if rs == nil {
		rs = rules.All()
	}
	s := &server{
		opts:     opts,
		rules:    rs,
		ruleBy:   map[string]*analysis.Rule{},
		docs:     newDocStore(),
		exited:   make(chan struct{}),
		settings: map[string]settings{},
		cfgCache: map[string]cachedConfig{},
	}
	s.trace.Store(protocol.TraceValueOff)
	for _, r := range rs {
		s.ruleBy[r.ID] = r
	}
	s.env = &analysis.Env{ReadFile: s.readFile, Values: opts.EnvValues}
	s.sched = newScheduler(s)
	return s
}

func (s *server) encoding() source.Encoding {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enc
}

func (s *server) capsSnapshot() clientCaps {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.caps
}

// ---- lifecycle ----

func (s *server) Initialize(ctx context.Context, p *protocol.InitializeParams) (*protocol.InitializeResult, error) {
	var c clientCaps
	enc := source.UTF16
	encKind := protocol.PositionEncodingKindUTF16
	cc := p.Capabilities
	if g := cc.General; g != nil {
		for _, e := range g.PositionEncodings {
			if e == protocol.PositionEncodingKindUTF8 {
				enc, encKind = source.UTF8, protocol.PositionEncodingKindUTF8
				break
			}
		}
	}
	if w := cc.Workspace; w != nil {
		c.configuration = isTrue(w.Configuration)
		if d := w.DidChangeWatchedFiles; d != nil {
			c.watchDynamic = isTrue(d.DynamicRegistration)
			c.watchRelative = isTrue(d.RelativePatternSupport)
		}
		if d := w.Diagnostics; d != nil {
			c.diagRefresh = isTrue(d.RefreshSupport)
		}
		if we := w.WorkspaceEdit; we != nil {
			c.documentChanges = isTrue(we.DocumentChanges)
			for _, k := range we.ResourceOperations {
				if k == protocol.ResourceOperationKindCreate {
					c.createFiles = true
				}
			}
		}
	}
	if td := cc.TextDocument; td != nil {
		c.pullDiagnostics = td.Diagnostic != nil
		if cp := td.Completion; cp != nil && cp.CompletionItem != nil {
			c.snippets = isTrue(cp.CompletionItem.SnippetSupport)
			c.markdownComplete = hasMarkdown(cp.CompletionItem.DocumentationFormat)
		}
		if h := td.Hover; h != nil {
			c.markdownHover = hasMarkdown(h.ContentFormat) || len(h.ContentFormat) == 0
		} else {
			c.markdownHover = true
		}
		if ds := td.DocumentSymbol; ds != nil {
			c.hierarchicalSyms = isTrue(ds.HierarchicalDocumentSymbolSupport)
		}
		if pd := td.PublishDiagnostics; pd != nil {
			c.relatedInfo = isTrue(pd.RelatedInformation)
		}
	} else {
		c.markdownHover = true
	}
	var folders []string
	if wf, ok := p.WorkspaceFolders.Get(); ok {
		for _, f := range wf {
			if path := uriToPath(string(f.URI)); path != "" {
				folders = append(folders, path)
			}
		}
	}
	if len(folders) == 0 && p.RootURI != nil {
		if path := uriToPath(string(*p.RootURI)); path != "" {
			folders = append(folders, path)
		}
	}
	s.mu.Lock()
	s.caps = c
	s.enc = enc
	s.folders = folders
	s.mu.Unlock()
	if len(p.InitializationOptions) > 0 {
		s.applySettings("", p.InitializationOptions)
	}
	if p.Trace != "" {
		s.trace.Store(p.Trace)
	}
	s.initialized.Store(true)
	s.log.Info("initialize", "client", p.ClientInfo.Name, "encoding", enc.String(), "folders", len(folders), "pull", c.pullDiagnostics)

	syncKind := protocol.TextDocumentSyncKindIncremental
	openClose := true
	caps := protocol.ServerCapabilities{
		PositionEncoding: encKind,
		TextDocumentSync: &protocol.TextDocumentSyncOptions{
			OpenClose: &openClose,
			Change:    &syncKind,
			Save:      protocol.Boolean(true),
		},
		HoverProvider: protocol.Boolean(true),
		CompletionProvider: &protocol.CompletionOptions{
			TriggerCharacters: []string{":", " ", "-", "*", "{", "."},
		},
		DefinitionProvider:        protocol.Boolean(true),
		ReferencesProvider:        protocol.Boolean(true),
		DocumentHighlightProvider: protocol.Boolean(true),
		DocumentSymbolProvider:    protocol.Boolean(true),
		CodeActionProvider: &protocol.CodeActionOptions{
			CodeActionKinds: []protocol.CodeActionKind{protocol.CodeActionKindQuickFix, protocol.CodeActionKindRefactorRewrite, protocol.CodeActionKindSourceFixAll, CodeActionKindFixAll},
		},
		DocumentLinkProvider: &protocol.DocumentLinkOptions{},
		RenameProvider:       &protocol.RenameOptions{PrepareProvider: ptr(true)},
		FoldingRangeProvider: protocol.Boolean(true),
		InlayHintProvider:    protocol.Boolean(true),
		Workspace: &protocol.WorkspaceOptions{
			WorkspaceFolders: &protocol.WorkspaceFoldersServerCapabilities{
				Supported:           ptr(true),
				ChangeNotifications: protocol.Boolean(true),
			},
		},
	}
	if s.hasSemanticTokens() {
		caps.SemanticTokensProvider = &protocol.SemanticTokensOptions{
			Legend: protocol.SemanticTokensLegend{TokenTypes: tokenLegend, TokenModifiers: []string{}},
			Full:   protocol.Boolean(true),
		}
	}
	if s.opts.Explain != nil {
		caps.ExecuteCommandProvider = protocol.ExecuteCommandOptions{Commands: []string{CommandExplain}}
	}
	if c.pullDiagnostics {
		id := "prefect-lsp"
		caps.DiagnosticProvider = &protocol.DiagnosticOptions{Identifier: &id, InterFileDependencies: true}
	}
	info := protocol.ServerInfo{Name: "prefect-lsp"}
	if s.opts.Version != "" {
		info.Version = protocol.NewOptional(s.opts.Version)
	}
	return &protocol.InitializeResult{Capabilities: caps, ServerInfo: info}, nil
}

func (s *server) Initialized(ctx context.Context, _ *protocol.InitializedParams) error {
	go s.afterInitialized()
	return nil
}

// afterInitialized makes the server→client calls that wait for answers
// (never inline on the reading goroutine).
func (s *server) afterInitialized() {
	defer s.recoverLog("initialized")
	c := s.capsSnapshot()
	if c.watchDynamic {
		watchers := []protocol.FileSystemWatcher{}
		for _, g := range []string{"**/*.py", "**/pyproject.toml", "**/prefect-lsp.toml", "**/setup.cfg", "**/requirements.txt", "**/*[dD]ockerfile*", "**/*[cC]ontainerfile*"} {
			watchers = append(watchers, protocol.FileSystemWatcher{GlobPattern: protocol.Pattern(g)})
		}
		opts, err := protocol.Marshal(protocol.DidChangeWatchedFilesRegistrationOptions{Watchers: watchers})
		if err == nil {
			err = s.client.RegisterCapability(s.ctx, &protocol.RegistrationParams{Registrations: []protocol.Registration{{
				ID: "prefect-lsp-watched-files", Method: protocol.MethodWorkspaceDidChangeWatchedFiles, RegisterOptions: opts,
			}}})
		}
		if err != nil {
			s.log.Warn("registering file watchers failed", "error", err)
		} else if s.opts.FilesWatched != nil {
			s.opts.FilesWatched()
		}
	}
	if c.configuration {
		s.pullConfiguration()
	}
}

// pullConfiguration asks the client for the prefect-lsp section, globally
// and per workspace folder, and re-analyses when something changed.
func (s *server) pullConfiguration() {
	s.mu.Lock()
	folders := append([]string(nil), s.folders...)
	s.mu.Unlock()
	section := "prefect-lsp"
	items := []protocol.ConfigurationItem{{Section: &section}}
	for _, f := range folders {
		fu := uriOf(f)
		items = append(items, protocol.ConfigurationItem{Section: &section, ScopeURI: &fu})
	}
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	res, err := s.client.Configuration(ctx, &protocol.ConfigurationParams{Items: items})
	if err != nil {
		s.log.Warn("workspace/configuration failed", "error", err)
		return
	}
	changed := false
	for i, raw := range res {
		scope := ""
		if i > 0 && i-1 < len(folders) {
			scope = folders[i-1]
		}
		if s.applySettings(scope, raw) {
			changed = true
		}
	}
	// The first answer usually repeats the defaults the open documents were
	// analysed with; re-analysing them would only cancel and restart the
	// first analysis.
	if changed {
		s.configChanged()
	}
}

// applySettings stores the settings of one scope ("" for global ones) and
// reports whether they differ from what was in effect.
func (s *server) applySettings(scope string, raw []byte) bool {
	if len(raw) == 0 || string(raw) == "null" {
		return false
	}
	var st settings
	if err := json.Unmarshal(raw, &st); err != nil {
		// Some clients send {"prefect-lsp": {...}}.
		var wrap map[string]json.RawMessage
		if json.Unmarshal(raw, &wrap) == nil && wrap["prefect-lsp"] != nil {
			err = json.Unmarshal(wrap["prefect-lsp"], &st)
		}
		if err != nil {
			s.log.Warn("ignoring malformed prefect-lsp settings", "error", err)
			return false
		}
	} else {
		var wrap map[string]json.RawMessage
		if json.Unmarshal(raw, &wrap) == nil && wrap["prefect-lsp"] != nil {
			_ = json.Unmarshal(wrap["prefect-lsp"], &st)
		}
	}
	if st.Trace.Server != "" {
		s.trace.Store(protocol.TraceValue(st.Trace.Server))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// What documents of this scope were analysed with: the scope's own
	// settings, else the global ones (settingsFor), else none.
	old, had := s.settings[scope]
	if !had {
		old = s.settings[""]
	}
	s.settings[scope] = st
	return !old.Settings.Equivalent(&st.Settings) || pythonOn(old) != pythonOn(st)
}

// pythonOn reads the python.enabled setting (default true).
func pythonOn(st settings) bool { return st.Python.Enabled == nil || *st.Python.Enabled }

func (s *server) Shutdown(ctx context.Context) error {
	s.shutdown.Store(true)
	s.sched.stopAll()
	s.log.Info("shutdown")
	return nil
}

func (s *server) Exit(ctx context.Context) error {
	s.log.Info("exit", "after_shutdown", s.shutdown.Load())
	s.exitOnce.Do(func() { close(s.exited) })
	return nil
}

func (s *server) SetTrace(ctx context.Context, p *protocol.SetTraceParams) error {
	s.trace.Store(p.Value)
	return nil
}

// Request answers methods go.lsp.dev does not know with MethodNotFound; for
// notifications (including "$/" ones, which the spec lets servers ignore)
// guard drops the error, so the connection stays up.
func (s *server) Request(ctx context.Context, method string, params any) (any, error) {
	return nil, errMethodNotFound(method)
}

func errMethodNotFound(method string) error {
	return jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", method)
}

// standardMethod reports whether method belongs to LSP's namespaces (the
// ones go.lsp.dev dispatches).
func standardMethod(method string) bool {
	switch method {
	case "initialize", "initialized", "shutdown", "exit", "$/setTrace", "$/progress", "$/cancelRequest", "$/logTrace":
		return true
	}
	for _, p := range []string{"textDocument/", "workspace/", "window/", "notebookDocument/", "callHierarchy/", "typeHierarchy/", "completionItem/", "codeAction/", "codeLens/", "documentLink/", "inlayHint/", "workspaceSymbol/", "client/"} {
		if strings.HasPrefix(method, p) {
			return true
		}
	}
	return false
}

func (s *server) DidChangeConfiguration(ctx context.Context, p *protocol.DidChangeConfigurationParams) error {
	if s.capsSnapshot().configuration {
		go func() {
			defer s.recoverLog("didChangeConfiguration")
			s.pullConfiguration()
		}()
		return nil
	}
	if s.applySettings("", p.Settings) {
		s.configChanged()
	}
	return nil
}

func (s *server) DidChangeWorkspaceFolders(ctx context.Context, p *protocol.DidChangeWorkspaceFoldersParams) error {
	s.mu.Lock()
	for _, r := range p.Event.Removed {
		path := uriToPath(string(r.URI))
		for i, f := range s.folders {
			if f == path {
				s.folders = append(s.folders[:i], s.folders[i+1:]...)
				delete(s.settings, path)
				break
			}
		}
	}
	for _, a := range p.Event.Added {
		if path := uriToPath(string(a.URI)); path != "" {
			s.folders = append(s.folders, path)
		}
	}
	pull := s.caps.configuration
	s.mu.Unlock()
	if pull {
		go func() {
			defer s.recoverLog("didChangeWorkspaceFolders")
			s.pullConfiguration()
		}()
	}
	return nil
}

// configChanged drops cached project configuration and re-analyses every
// open prefect.yaml.
func (s *server) configChanged() {
	s.mu.Lock()
	s.cfgCache = map[string]cachedConfig{}
	s.mu.Unlock()
	for u, snap := range s.docs.view() {
		if isYAML(snap.Path) || isPython(snap.Path) {
			s.invalidate(u, s.rootFor(snap.Path))
		}
	}
}

// invalidate replaces a document's snapshot by a fresh one of the same
// version (dropping its analysis, which depended on something that
// changed) and schedules a new analysis. root "" keeps the current root.
func (s *server) invalidate(u, root string) {
	_, now := s.docs.update(u, func(old *Snapshot) *Snapshot {
		if old == nil {
			return nil
		}
		r := root
		if r == "" {
			r = old.Root
		}
		return s.newSnapshot(u, r, old.Version, old.Text())
	})
	if now != nil {
		s.sched.schedule(u, false)
		s.refreshPulledDiagnostics()
	}
}

// refreshPulledDiagnostics asks a pull-model client (which re-pulls only
// after its own edits) to pull diagnostics again, because something they
// depend on changed: settings, a flow file or a Dockerfile on disk. Without
// it VS Code keeps showing what the file had before, until the next edit.
// The request is sent from its own goroutine (it waits for an answer);
// invalidations while it is queued share it.
func (s *server) refreshPulledDiagnostics() {
	c := s.capsSnapshot()
	if !c.pullDiagnostics || !c.diagRefresh || !s.refreshPending.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer s.recoverLog("diagnostic refresh")
		s.refreshPending.Store(false)
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		defer cancel()
		if err := s.client.DiagnosticRefresh(ctx); err != nil {
			s.log.Warn("workspace/diagnostic/refresh failed", "error", err)
		}
	}()
}

func (s *server) recoverLog(what string) {
	if r := recover(); r != nil {
		s.log.Error("panic", "in", what, "panic", r)
	}
}

func isTrue(b *bool) bool { return b != nil && *b }

func ptr[T any](v T) *T { return &v }

func hasMarkdown(kinds []protocol.MarkupKind) bool {
	for _, k := range kinds {
		if k == protocol.MarkupKindMarkdown {
			return true
		}
	}
	return false
}

// clientLogHandler tees log records to window/logMessage while tracing is on.
type clientLogHandler struct {
	base  slog.Handler
	s     *server
	attrs []slog.Attr
}

func (h *clientLogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.base.Enabled(ctx, l) || h.tracing()
}

func (h *clientLogHandler) tracing() bool {
	v, _ := h.s.trace.Load().(protocol.TraceValue)
	return v == protocol.TraceValueMessages || v == protocol.TraceValueVerbose
}

func (h *clientLogHandler) Handle(ctx context.Context, r slog.Record) error {
	var err error
	if h.base.Enabled(ctx, r.Level) {
		err = h.base.Handle(ctx, r)
	}
	if h.tracing() && h.s.client != nil && h.s.initialized.Load() {
		var b strings.Builder
		b.WriteString(r.Message)
		for _, a := range h.attrs {
			b.WriteString(" " + a.String())
		}
		r.Attrs(func(a slog.Attr) bool {
			b.WriteString(" " + a.String())
			return true
		})
		typ := protocol.MessageTypeLog
		switch {
		case r.Level >= slog.LevelError:
			typ = protocol.MessageTypeError
		case r.Level >= slog.LevelWarn:
			typ = protocol.MessageTypeWarning
		case r.Level >= slog.LevelInfo:
			typ = protocol.MessageTypeInfo
		}
		_ = h.s.client.LogMessage(context.WithoutCancel(ctx), &protocol.LogMessageParams{Type: typ, Message: b.String()})
	}
	return err
}

func (h *clientLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &clientLogHandler{base: h.base.WithAttrs(attrs), s: h.s, attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}

func (h *clientLogHandler) WithGroup(name string) slog.Handler {
	return &clientLogHandler{base: h.base.WithGroup(name), s: h.s, attrs: h.attrs}
}
