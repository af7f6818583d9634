package recmock

import "runtime/debug"

// version is set at link time for releases: -ldflags "-X github.com/recmock/recmock.version=v1.2.3".
var version = ""

// Version is recmock's version: the link-time version, else the module version, else "devel"
// with the VCS revision when the build recorded one.
func Version() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel-" + s.Value[:12]
		}
	}
	return "devel"
}
