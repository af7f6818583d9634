package recmock

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set at link time by releases (.goreleaser.yaml):
//
//	-ldflags "-X github.com/recmock/recmock.version=v1.2.3
//	          -X github.com/recmock/recmock.commit=abcdef0123456789...
//	          -X github.com/recmock/recmock.date=2026-12-03T10:00:00Z"
var version, commit, date = "", "", ""

// Build says which recmock this is: from the link-time values where a release set them,
// else from what the Go toolchain recorded (the module version for go install, the VCS
// revision for a build in a checkout).
type Build struct {
	// Version is a release's tag, the module version (v1.2.3, or a pseudo-version), or
	// "devel".
	Version string
	// Commit is the VCS revision, "" when unknown; Modified says the work tree had changes.
	Commit   string
	Modified bool
	// Date is the commit's time (RFC 3339), "" when unknown.
	Date string
	// GoVersion is the toolchain that built the binary.
	GoVersion string
}

// ReadBuild is this binary's Build.
func ReadBuild() Build {
	info, _ := debug.ReadBuildInfo()
	return buildOf(info, version, commit, date)
}

// buildOf combines the build info (nil when the binary has none) with link-time values.
func buildOf(info *debug.BuildInfo, ldVersion, ldCommit, ldDate string) Build {
	b := Build{Version: "devel", GoVersion: runtime.Version()}
	if info != nil {
		b.GoVersion = info.GoVersion
		if v := info.Main.Version; v != "" && v != "(devel)" {
			b.Version = v
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Commit = s.Value
			case "vcs.time":
				b.Date = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if ldVersion != "" {
		b.Version = ldVersion
	}
	if ldCommit != "" {
		b.Commit, b.Modified = ldCommit, false
	}
	if ldDate != "" {
		b.Date = ldDate
	}
	return b
}

// String is the line recmock version prints after "recmock ":
// "v1.2.3 (commit abcdef012345, 2026-12-03, go1.26.8)".
func (b Build) String() string {
	var parts []string
	if b.Commit != "" {
		c := "commit " + b.Commit[:min(12, len(b.Commit))]
		if b.Modified {
			c += " with local changes"
		}
		parts = append(parts, c)
	}
	if b.Date != "" {
		parts = append(parts, b.Date[:min(10, len(b.Date))])
	}
	parts = append(parts, b.GoVersion)
	return fmt.Sprintf("%s (%s)", b.Version, strings.Join(parts, ", "))
}

// Version is recmock's version: the release's, else the module version, else "devel" with
// the VCS revision when the build recorded one ("devel-abcdef012345").
func Version() string {
	b := ReadBuild()
	if b.Version == "devel" && len(b.Commit) >= 12 {
		return "devel-" + b.Commit[:12]
	}
	return b.Version
}
