package lsp

import (
	"context"
	"errors"
	"net"
	"testing"
	"testing/synctest"
	"time"
)

// TestServeStopsWithItsContext runs in a synctest bubble: cancelling the
// context ends Serve promptly (its only timer, the 2 s close grace, never
// fires because the connection closes first), and a silent peer never
// makes Serve return by itself.
func TestServeStopsWithItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := net.Pipe()
		defer b.Close()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- Serve(ctx, a, Options{}) }()
		time.Sleep(time.Hour) // fake time: the server just waits for input
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("Serve returned on its own: %v", err)
		default:
		}
		cancel()
		synctest.Wait()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Serve = %v, want context.Canceled", err)
			}
		default:
			t.Fatal("Serve did not return after cancel")
		}
		if d := time.Since(start); d != time.Hour {
			t.Errorf("fake time advanced by %v, want exactly the hour slept (no grace timer fired)", d)
		}
	})
}
