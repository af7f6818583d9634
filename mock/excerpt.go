package mock

import "unicode/utf8"

// excerpt cuts b to at most n bytes on a UTF-8 boundary, marking the cut.
func excerpt(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return string(b[:cut]) + "…(cut)"
}
