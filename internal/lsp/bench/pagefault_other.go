//go:build !unix

package main

// pageFaultMicros is not measured here (see pagefault_unix.go).
func pageFaultMicros() float64 { return -1 }
