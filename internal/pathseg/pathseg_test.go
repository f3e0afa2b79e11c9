package pathseg

import "testing"

func TestPasses(t *testing.T) {
	for seg, want := range map[string]bool{
		"abc123": true, "...": true, "a.b": true, "a%2Fb": true,
		"": false, ".": false, "..": false, "a/b": false, `a\b`: false, "/": false,
	} {
		if got := Passes(seg); got != want {
			t.Errorf("Passes(%q) = %v, want %v", seg, got, want)
		}
	}
}
