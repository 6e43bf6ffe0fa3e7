package lsp

import (
	"io"
	"os"
	"sync"
)

// releasingConn wraps the connection Serve talks over so that closing it
// ends a read in progress at once, whatever the underlying reader does.
//
// A process's standard input is usually a blocking pipe: closing os.Stdin
// does not wake a goroutine blocked reading it, so after exit the
// connection's reading goroutine would wait for the client to close its end
// (many editors keep it open until the process is gone). Here one pump
// goroutine does the underlying reads and hands each chunk to Read; Close
// releases Read at once and leaves the pump blocked on a read that ends
// with the process (or with the client closing the pipe).
type releasingConn struct {
	io.ReadWriteCloser

	chunks    chan readChunk // pump → Read: one underlying read
	consumed  chan struct{}  // Read → pump: the chunk's buffer is free again
	closed    chan struct{}
	closeOnce sync.Once

	// Read's state; Read is called by one goroutine at a time.
	pending []byte
	err     error
	pumping bool
}

type readChunk struct {
	data []byte
	err  error
}

// pumpBuffer is the size of one underlying read.
const pumpBuffer = 64 << 10

func newReleasingConn(rw io.ReadWriteCloser) *releasingConn {
	return &releasingConn{
		ReadWriteCloser: rw,
		chunks:          make(chan readChunk),
		consumed:        make(chan struct{}),
		closed:          make(chan struct{}),
	}
}

// Read returns bytes of the underlying reader's current chunk, waiting for
// the next chunk when it is used up; after Close it returns os.ErrClosed.
func (c *releasingConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for len(c.pending) == 0 && c.err == nil {
		if !c.pumping {
			c.pumping = true
			go c.pump()
		} else {
			select {
			case c.consumed <- struct{}{}:
			case <-c.closed:
				return 0, os.ErrClosed
			}
		}
		select {
		case ch := <-c.chunks:
			c.pending, c.err = ch.data, ch.err
		case <-c.closed:
			return 0, os.ErrClosed
		}
	}
	select {
	case <-c.closed:
		return 0, os.ErrClosed
	default:
	}
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return 0, c.err
}

// pump reads the underlying reader into one buffer, handing each read to
// Read and waiting until Read has copied it out before reading again.
func (c *releasingConn) pump() {
	buf := make([]byte, pumpBuffer)
	for {
		n, err := c.ReadWriteCloser.Read(buf)
		select {
		case c.chunks <- readChunk{data: buf[:n], err: err}:
		case <-c.closed:
			return
		}
		if err != nil {
			return
		}
		select {
		case <-c.consumed:
		case <-c.closed:
			return
		}
	}
}

// Close releases a Read in progress and closes the underlying connection.
func (c *releasingConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.ReadWriteCloser.Close()
}
