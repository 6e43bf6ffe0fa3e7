package lsp

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"time"
)

// stuckReader returns its data once, then blocks until unblock is closed,
// like a pipe whose writer stays open; Close does not wake it.
type stuckReader struct {
	data    []byte
	unblock chan struct{}
	out     bytes.Buffer
}

func (r *stuckReader) Read(p []byte) (int, error) {
	if len(r.data) > 0 {
		n := copy(p, r.data)
		r.data = r.data[n:]
		return n, nil
	}
	<-r.unblock
	return 0, io.EOF
}
func (r *stuckReader) Write(p []byte) (int, error) { return r.out.Write(p) }
func (r *stuckReader) Close() error                { return nil }

// TestReleasingConnPassesBytesAndReleasesOnClose: every byte arrives in
// order through small reads, and Close ends a Read blocked in the
// underlying reader.
func TestReleasingConnPassesBytesAndReleasesOnClose(t *testing.T) {
	want := bytes.Repeat([]byte("0123456789abcdef"), pumpBuffer/16*3+7)
	under := &stuckReader{data: append([]byte(nil), want...), unblock: make(chan struct{})}
	defer close(under.unblock)
	c := newReleasingConn(under)
	got := make([]byte, 0, len(want))
	buf := make([]byte, 1000)
	for len(got) < len(want) {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("Read after %d bytes: %v", len(got), err)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("bytes differ from those written")
	}
	result := make(chan error, 1)
	go func() {
		_, err := c.Read(buf)
		result <- err
	}()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-result:
		if !errors.Is(err, os.ErrClosed) {
			t.Errorf("Read after Close: %v, want os.ErrClosed", err)
		}
	case <-time.After(10 * time.Second): // a hang guard, not a timing
		t.Fatal("Close did not release the blocked Read")
	}
}

// TestReleasingConnEndOfInput: the underlying reader's end of input
// reaches Read after its last bytes.
func TestReleasingConnEndOfInput(t *testing.T) {
	under := &stuckReader{data: []byte("abc"), unblock: make(chan struct{})}
	close(under.unblock)
	got, err := io.ReadAll(newReleasingConn(under))
	if err != nil || string(got) != "abc" {
		t.Fatalf("ReadAll = %q, %v; want \"abc\", nil", got, err)
	}
}
