package pyflow

import "testing"

// Prefect loads an entrypoint as a file only when it contains ".py:";
// "pkg.module:object" is imported as a module.
func TestParseEntrypointModuleColonForm(t *testing.T) {
	cases := []struct {
		raw, module, path, fn string
	}{
		{"flows:train", "flows", "", "train"},
		{"prefect_modal.flows.flow1:main", "prefect_modal.flows.flow1", "", "main"},
		{"pkg.mod:Class.method", "pkg.mod", "", "Class.method"},
		{"flows/etl.py:etl", "", "flows/etl.py", "etl"},
		{`C:\proj\etl.py:etl`, "", `C:\proj\etl.py`, "etl"},
		{"flows/etl:etl", "", "flows/etl", "etl"},
	}
	for _, c := range cases {
		ep, err := ParseEntrypoint(c.raw)
		if err != nil {
			t.Errorf("%q: %v", c.raw, err)
			continue
		}
		if ep.Module != c.module || ep.Path != c.path || ep.Func != c.fn {
			t.Errorf("%q: module %q path %q func %q", c.raw, ep.Module, ep.Path, ep.Func)
		}
		if c.raw[ep.FuncSpan.Start:ep.FuncSpan.End] != c.fn {
			t.Errorf("%q: func span %v", c.raw, ep.FuncSpan)
		}
	}
}
