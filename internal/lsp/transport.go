package lsp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// StdioConn returns the process's standard input and output as one
// io.ReadWriteCloser for Serve. Closing it closes both.
func StdioConn() io.ReadWriteCloser { return stdio{} }

type stdio struct{}

func (stdio) Read(p []byte) (int, error)  { return os.Stdin.Read(p) }
func (stdio) Write(p []byte) (int, error) { return os.Stdout.Write(p) }
func (stdio) Close() error {
	err1 := os.Stdin.Close()
	err2 := os.Stdout.Close()
	return errors.Join(err1, err2)
}

// maxFrame bounds one message body (the largest prefect.yaml analysed is
// 16 MiB; JSON escaping can double it).
const maxFrame = 64 << 20

// frameStream is the LSP header-framed jsonrpc2 stream the connection reads
// from. Unlike jsonrpc2's own header stream it survives bad input: a frame
// with a malformed header or a body that is not one JSON-RPC message is
// answered with a ParseError/InvalidRequest response (id null) and skipped,
// instead of ending the connection. It also tells the server when the input
// runs dry (onIdle), which is when coalesced analyses start.
type frameStream struct {
	in     *bufio.Reader
	closer io.Closer
	out    jsonrpc2.Stream // header framing for writes
	log    *slog.Logger
	// onIdle is called on the reading goroutine just before a read that
	// may block because no complete frame is buffered.
	onIdle func()
}

func newFrameStream(rw io.ReadWriteCloser, log *slog.Logger) *frameStream {
	return &frameStream{
		in:     bufio.NewReaderSize(rw, 64<<10),
		closer: rw,
		out:    jsonrpc2.NewHeaderStream(writeOnly{rw}),
		log:    log,
	}
}

type writeOnly struct{ w io.Writer }

func (w writeOnly) Read([]byte) (int, error)    { return 0, io.EOF }
func (w writeOnly) Write(p []byte) (int, error) { return w.w.Write(p) }
func (w writeOnly) Close() error                { return nil }

// inputPending reports whether a complete frame is already buffered, so
// that work triggered by the current message can wait for the next one.
// It must be called on the reading goroutine.
func (s *frameStream) inputPending() bool {
	n := s.in.Buffered()
	if n == 0 {
		return false
	}
	buf, _ := s.in.Peek(n)
	// A header block and at least the start of a body: treat as pending
	// only when the whole frame is there.
	i := bytes.Index(buf, []byte("\r\n\r\n"))
	if i < 0 {
		return false
	}
	length := -1
	for _, line := range strings.Split(string(buf[:i]), "\r\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "Content-Length") {
			length, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return length >= 0 && n >= i+4+length
}

func (s *frameStream) idle() {
	if s.onIdle != nil && !s.inputPending() {
		s.onIdle()
	}
}

// ReadFrame returns the next well-formed message body. It implements the
// frame interface jsonrpc2's connection looks for.
func (s *frameStream) ReadFrame(ctx context.Context) ([]byte, int64, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		s.idle()
		body, n, err := s.readOne()
		if err != nil {
			var bad *badFrame
			if errors.As(err, &bad) {
				s.reject(ctx, bad.code, bad.msg)
				continue
			}
			return nil, 0, err
		}
		if code, msg, ok := validate(body); !ok {
			s.reject(ctx, code, msg)
			continue
		}
		return body, n, nil
	}
}

type badFrame struct {
	code jsonrpc2.Code
	msg  string
}

func (b *badFrame) Error() string { return b.msg }

// readOne reads one header block and its body. Header problems come back as
// *badFrame after the block has been consumed, so reading can go on.
func (s *frameStream) readOne() ([]byte, int64, error) {
	length := -1
	var total int64
	sawHeader := false
	var problem string
	for {
		line, err := s.in.ReadString('\n')
		total += int64(len(line))
		if err != nil {
			if err == io.EOF && line == "" && !sawHeader {
				return nil, 0, io.EOF
			}
			if err == io.EOF {
				return nil, 0, io.ErrUnexpectedEOF
			}
			return nil, 0, err
		}
		if len(line) > 64<<10 {
			problem = "header line too long"
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if !sawHeader {
				continue // stray blank line between frames
			}
			break
		}
		sawHeader = true
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			problem = fmt.Sprintf("malformed header line %q", truncate(line, 60))
			continue
		}
		if strings.EqualFold(strings.TrimSpace(k), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n <= 0 || n > maxFrame {
				problem = fmt.Sprintf("bad Content-Length %q", truncate(v, 30))
				continue
			}
			length = n
		}
	}
	if problem == "" && length < 0 {
		problem = "missing Content-Length header"
	}
	if problem != "" {
		return nil, total, &badFrame{code: jsonrpc2.ParseError, msg: "invalid message header: " + problem}
	}
	if s.in.Buffered() < length && s.onIdle != nil {
		s.onIdle()
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(s.in, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, 0, err
	}
	return body, total + int64(length), nil
}

// validate checks that body is one JSON-RPC 2.0 message jsonrpc2 accepts
// (it would otherwise end the connection). LSP has no batches.
func validate(body []byte) (jsonrpc2.Code, string, bool) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return jsonrpc2.InvalidRequest, "JSON-RPC batches are not supported by LSP", false
	}
	if _, err := jsonrpc2.DecodeMessage(body); err != nil {
		if errors.Is(err, jsonrpc2.ErrParse) {
			return jsonrpc2.ParseError, "parse error: the message is not a JSON object", false
		}
		return jsonrpc2.InvalidRequest, "invalid request: " + err.Error(), false
	}
	return 0, "", true
}

func (s *frameStream) reject(ctx context.Context, code jsonrpc2.Code, msg string) {
	s.log.Warn("rejected malformed message", "error", msg)
	body := fmt.Appendf(nil, `{"jsonrpc":"2.0","id":null,"error":{"code":%d,"message":%s}}`, code, strconv.Quote(msg))
	if fw, ok := s.out.(interface {
		WriteFrame(context.Context, []byte) (int64, error)
	}); ok {
		_, _ = fw.WriteFrame(context.WithoutCancel(ctx), body)
	}
}

// Read implements jsonrpc2.Stream (unused by the connection, which prefers
// ReadFrame, but kept correct).
func (s *frameStream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	body, n, err := s.ReadFrame(ctx)
	if err != nil {
		return nil, 0, err
	}
	msg, err := jsonrpc2.DecodeMessage(body)
	return msg, n, err
}

func (s *frameStream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	return s.out.Write(ctx, msg)
}

// WriteFrame implements the frame interface of jsonrpc2's connection.
func (s *frameStream) WriteFrame(ctx context.Context, data []byte) (int64, error) {
	if fw, ok := s.out.(interface {
		WriteFrame(context.Context, []byte) (int64, error)
	}); ok {
		return fw.WriteFrame(ctx, data)
	}
	return 0, errors.New("jsonrpc2 header stream cannot write frames")
}

func (s *frameStream) Close() error { return s.closer.Close() }

// codec is go.lsp.dev/protocol's union-aware codec (unexported there), so
// that this package can build the connection itself with its own handler
// chain.
type codec struct{}

func (codec) Marshal(v any) ([]byte, error) {
	switch m := v.(type) {
	case jsonrpc2.RawMessage:
		if m == nil {
			return []byte("null"), nil
		}
		return m, nil
	case *jsonrpc2.RawMessage:
		if m == nil || *m == nil {
			return []byte("null"), nil
		}
		return *m, nil
	}
	return protocol.Marshal(v)
}

func (codec) Unmarshal(data []byte, v any) error {
	if p, ok := v.(*jsonrpc2.RawMessage); ok {
		b := make(jsonrpc2.RawMessage, len(data))
		copy(b, data)
		*p = b
		return nil
	}
	return protocol.Unmarshal(data, v)
}

// guard is the outermost application handler. It is what makes the
// connection robust against go.lsp.dev v1.0.1's sharp edges
// (architecture.md §2.1):
//
//   - Notifications run inline on the reading goroutine, in wire order, so
//     document edits are applied exactly in the order sent; their handlers
//     only store text and schedule work, and return at once.
//   - Calls are released with jsonrpc2.Async to run concurrently, after
//     capturing the document view as of their arrival (view), so a request
//     sees every edit sent before it and none sent after.
//   - A panic is recovered: a call gets an InternalError reply, a
//     notification a log line; the connection stays up.
//   - An error from a notification (including undecodable params) is
//     logged, never returned, because it would close the connection.
func (s *server) guard(next jsonrpc2.Handler) jsonrpc2.Handler {
	return func(ctx context.Context, req *jsonrpc2.Request) (result any, err error) {
		s.lastMessage.Store(time.Now().UnixNano())
		isCall := req.IsCall()
		method := req.Method()
		if isCall {
			ctx = withView(ctx, s.docs.view())
			jsonrpc2.Async(ctx)
			method = strings.Clone(method)
		}
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("handler panicked", "method", method, "panic", r, "stack", string(debug.Stack()))
				if isCall {
					result, err = nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "prefect-lsp: internal error in %s: %v", method, r)
				} else {
					result, err = nil, nil
				}
			}
		}()
		switch {
		case method == "initialize" || method == "exit" || method == "$/cancelRequest":
		case !s.initialized.Load():
			if isCall {
				return nil, jsonrpc2.NewError(jsonrpc2.ServerNotInitialized, "prefect-lsp: initialize first")
			}
			return nil, nil
		case s.shutdown.Load() && isCall:
			return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "prefect-lsp: the server is shutting down")
		}
		if !standardMethod(method) && len(req.Params()) == 0 {
			// Unknown method without params: go.lsp.dev would fail to
			// decode the absent params before reaching Request.
			if isCall {
				return nil, errMethodNotFound(method)
			}
			return nil, nil
		}
		result, err = next(ctx, req)
		if !isCall {
			if err != nil {
				if standardMethod(method) {
					s.log.Warn("notification failed", "method", method, "error", err)
				} else {
					s.log.Debug("ignored unknown notification", "method", method)
				}
			}
			return nil, nil
		}
		return result, err
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
