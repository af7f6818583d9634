package recmock

import (
	"bytes"
	_ "embed"
)

// sampleMP4 is a 2-second 320x240 test pattern with a 440 Hz tone, H.264 (Constrained
// Baseline) and AAC-LC, moov atom first so players can start before the download ends. It
// was made once, with ffmpeg 5.1, by:
//
//	ffmpeg -f lavfi -i testsrc=size=320x240:rate=15:duration=2 \
//	  -f lavfi -i sine=frequency=440:sample_rate=22050:duration=2 \
//	  -c:v libx264 -profile:v baseline -level 3.0 -pix_fmt yuv420p -preset veryslow -crf 30 -g 30 \
//	  -c:a aac -b:a 32k -ac 1 -shortest -movflags +faststart -map_metadata -1 \
//	  -fflags +bitexact -flags:v +bitexact -flags:a +bitexact testdata/sample.mp4
//
//go:embed testdata/sample.mp4
var sampleMP4 []byte

// SampleRecording returns the MP4 that stands in for a mixed recording: small (about 20 KB)
// but real, so integrators can check that what they download through a retrievalUrl plays.
// Each call returns a fresh copy.
func SampleRecording() []byte { return bytes.Clone(sampleMP4) }
