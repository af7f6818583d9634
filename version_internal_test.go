package recmock

import (
	"runtime/debug"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBuildOf: where each part of the version line comes from, for go install (the module
// version), a build in a checkout (the VCS stamp), a release (link-time values) and a binary
// without build info.
func TestBuildOf(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-12-03T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	tests := []struct {
		name                string
		info                *debug.BuildInfo
		ldVersion, ldCommit string
		ldDate              string
		want                Build
		wantString          string
	}{
		{
			name:       "go install module@v1.2.3",
			info:       &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}},
			want:       Build{Version: "v1.2.3", GoVersion: "go1.26.8"},
			wantString: "v1.2.3 (go1.26.8)",
		},
		{
			name:       "go build in a checkout with changes",
			info:       &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			want:       Build{Version: "devel", Commit: "0123456789abcdef0123456789abcdef01234567", Modified: true, Date: "2026-12-03T10:00:00Z", GoVersion: "go1.26.8"},
			wantString: "devel (commit 0123456789ab with local changes, 2026-12-03, go1.26.8)",
		},
		{
			name:      "release: link-time values win",
			info:      &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			ldVersion: "v2.0.0", ldCommit: "fedcba9876543210", ldDate: "2026-12-24T00:00:00Z",
			want:       Build{Version: "v2.0.0", Commit: "fedcba9876543210", Date: "2026-12-24T00:00:00Z", GoVersion: "go1.26.8"},
			wantString: "v2.0.0 (commit fedcba987654, 2026-12-24, go1.26.8)",
		},
		{
			name:       "no build info",
			ldVersion:  "",
			want:       Build{Version: "devel", GoVersion: Build{}.GoVersion},
			wantString: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := buildOf(tt.info, tt.ldVersion, tt.ldCommit, tt.ldDate)
			if tt.info == nil {
				tt.want.GoVersion = got.GoVersion // runtime.Version(), whatever runs the test
				tt.wantString = "devel (" + got.GoVersion + ")"
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Build mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantString, got.String()); diff != "" {
				t.Errorf("String mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
