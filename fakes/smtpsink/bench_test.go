package smtpsink_test

import (
	"fmt"
	"net/smtp"
	"strings"
	"testing"

	"github.com/recmock/recmock/fakes/smtpsink"
)

// BenchmarkReceive measures the ingest path: one SMTP session sending messages of
// several sizes with net/smtp, each stored.
func BenchmarkReceive(b *testing.B) {
	for _, size := range []int{4 << 10, 1 << 20} {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			s := startSink(b, smtpsink.Config{MaxMessages: 100})
			line := strings.Repeat("0123456789", 7) + "\r\n"
			msg := []byte(simpleMail("bench", strings.Repeat(line, size/len(line))))
			c, err := smtp.Dial(s.Addr())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			b.SetBytes(int64(len(msg)))
			b.ResetTimer()
			for b.Loop() {
				if err := c.Mail("a@example.com"); err != nil {
					b.Fatal(err)
				}
				if err := c.Rcpt("b@example.com"); err != nil {
					b.Fatal(err)
				}
				w, err := c.Data()
				if err != nil {
					b.Fatal(err)
				}
				w.Write(msg)
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
