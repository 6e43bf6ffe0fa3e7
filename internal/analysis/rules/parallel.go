package rules

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/prefect-lsp/prefect-lsp/internal/analysis"
)

// onAllCores calls f(i) for every i in [0, n), on all cores, and returns
// when every call has, or early when the analysis is cancelled. It serves
// per-deployment values that many rules ask for (Pass.Memo), computed up
// front so that the slow ones (reading a flow file, compiling a pool's
// schema) do not run one after the other.
func onAllCores(p *analysis.Pass, n int, f func(i int)) {
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= n || p.Context().Err() != nil {
				return
			}
			f(i)
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
}
