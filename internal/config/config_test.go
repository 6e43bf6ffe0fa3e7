package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMergeKeepsTheProjectServerAgainstEditorDefaults(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "prefect-lsp.toml"), []byte("server = \"cloud\"\n[rules]\nyaml11-scalar = \"off\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, probs := Load(dir)
	if len(probs) > 0 || c.Server != ServerCloud {
		t.Fatalf("Load: %+v %v", c, probs)
	}
	// VS Code sends every setting, defaults included.
	editor := &Settings{Files: []string{}, Rules: map[string]string{}, WorkPools: map[string]string{}, Server: "unknown"}
	m := c.Merge(editor)
	if m.Server != ServerCloud || m.Rules["yaml11-scalar"] != "off" {
		t.Errorf("editor defaults changed the project's configuration: %+v", m)
	}
	m = c.Merge(&Settings{Server: "self-hosted", Rules: map[string]string{"yaml11-scalar": "warning"}})
	if m.Server != ServerSelfHosted || m.Rules["yaml11-scalar"] != "warning" || c.Rules["yaml11-scalar"] != "off" {
		t.Errorf("editor settings did not win, or changed the project's map: %+v / %+v", m, c)
	}
}

func TestSettingsEquivalent(t *testing.T) {
	zero := &Settings{}
	for _, tc := range []struct {
		s    Settings
		want bool
	}{
		{Settings{Files: []string{}, Rules: map[string]string{}, WorkPools: map[string]string{}, Server: "unknown"}, true},
		{Settings{Server: "bogus"}, true},
		{Settings{Server: "cloud"}, false},
		{Settings{Files: []string{"x.yaml"}}, false},
		{Settings{Rules: map[string]string{"a": "off"}}, false},
		{Settings{WorkPools: map[string]string{"p": "ecs"}}, false},
		{Settings{PrefectVersion: "3.4"}, false},
	} {
		if got := zero.Equivalent(&tc.s); got != tc.want {
			t.Errorf("%+v: Equivalent = %v, want %v", tc.s, got, tc.want)
		}
	}
	a := &Settings{Server: "cloud", Rules: map[string]string{"a": "off"}}
	b := &Settings{Server: "prefect-cloud", Rules: map[string]string{"a": "off"}}
	if !a.Equivalent(b) {
		t.Error("cloud and prefect-cloud differ")
	}
}
