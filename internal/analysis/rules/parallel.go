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
// schema) do not run one after the other. A panic in any call is raised
// again in the caller, once the others have stopped, where the rule's
// recovery reports it (a goroutine's own panic would end the process).
func onAllCores(p *analysis.Pass, n int, f func(i int)) {
	var next atomic.Int64
	var failed atomic.Value // the first panic's value, boxed
	work := func() {
		defer func() {
			if v := recover(); v != nil {
				failed.CompareAndSwap(nil, panicked{v})
				next.Store(int64(n)) // the others stop at their next item
			}
		}()
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
	if v, ok := failed.Load().(panicked); ok {
		panic(v.value)
	}
}

// panicked boxes a recovered value (atomic.Value needs one concrete type).
type panicked struct{ value any }
