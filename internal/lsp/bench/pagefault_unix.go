//go:build unix

package main

import (
	"syscall"
	"time"
)

// pageFaultMicros times the first write to each 4 KiB page of 64 MiB newly
// mapped: what a page fault costs on this machine, which is most of the
// difference between a young server's first analysis and a later one (see
// the flt columns). Virtual machines make it expensive. It returns -1 when
// the memory cannot be mapped.
func pageFaultMicros() float64 {
	const size, page = 64 << 20, 4096
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return -1
	}
	defer syscall.Munmap(b)
	start := time.Now()
	for i := 0; i < size; i += page {
		b[i] = 1
	}
	return float64(time.Since(start).Microseconds()) / (size / page)
}
