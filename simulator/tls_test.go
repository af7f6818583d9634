package simulator_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/certs"
	"github.com/recmock/recmock/simulator"
)

// testCA is an authority made for one test, and the pool that trusts it.
func testCA(t *testing.T) (*certs.Authority, *x509.CertPool) {
	t.Helper()
	ca, err := certs.NewAuthority("recmock test CA", time.Now(), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return ca, pool
}

// httpsReceiver answers 204 over TLS with a certificate from ca for hosts, valid from
// notBefore+1h for validity (see certs.Authority.Issue).
func httpsReceiver(t *testing.T, ca *certs.Authority, hosts []string, issued time.Time, validity time.Duration) string {
	t.Helper()
	leaf, err := ca.Issue(hosts, issued, validity)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
	srv.Config.ErrorLog = discardLog() // the failed handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// notTLS is a listener that greets like an SMTP server, the wrong protocol for https://.
func notTLS(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			io.WriteString(c, "220 smtp.example ESMTP ready\r\n")
			c.Close()
		}
	}()
	return "https://" + ln.Addr().String()
}

// TestWebhookTLS: a delivery to an HTTPS receiver succeeds when the simulator trusts the
// receiver's authority, and otherwise fails at once, its error and outcome naming the cause.
func TestWebhookTLS(t *testing.T) {
	ca, pool := testCA(t)
	now := time.Now()
	good := httpsReceiver(t, ca, []string{"127.0.0.1", "localhost"}, now, time.Hour)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(plain.Close)
	tests := []struct {
		name      string
		url       string
		tls       *tls.Config
		wantCause string // "" for success
		detail    string
	}{
		{"trusted authority", good, &tls.Config{RootCAs: pool}, "", ""},
		{"system roots only", good, nil, simulator.TLSUnknownAuthority, "x509: certificate signed by unknown authority"},
		{"another authority", good, &tls.Config{RootCAs: x509.NewCertPool()}, simulator.TLSUnknownAuthority, "unknown authority"},
		{"insecure", good, &tls.Config{InsecureSkipVerify: true}, "", ""},
		{"address not in the certificate", httpsReceiver(t, ca, []string{"receiver.example"}, now, time.Hour), &tls.Config{RootCAs: pool},
			simulator.TLSHostnameMismatch, "x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs"},
		{"name not in the certificate", strings.Replace(httpsReceiver(t, ca, []string{"receiver.example", "127.0.0.1"}, now, time.Hour), "127.0.0.1", "localhost", 1),
			&tls.Config{RootCAs: pool}, simulator.TLSHostnameMismatch, "x509: certificate is valid for receiver.example, not localhost"},
		{"expired", httpsReceiver(t, ca, []string{"127.0.0.1"}, now.Add(-3*time.Hour), time.Hour), &tls.Config{RootCAs: pool},
			simulator.TLSExpired, "x509: certificate has expired or is not yet valid"},
		{"plain HTTP on that port", strings.Replace(plain.URL, "http://", "https://", 1), &tls.Config{RootCAs: pool},
			simulator.TLSNotTLS, "http: server gave HTTP response to HTTPS client"},
		{"another protocol on that port", notTLS(t), nil, simulator.TLSNotTLS, "tls: first record does not look like a TLS handshake"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, _ := newSimulator(t, simulator.Config{TLS: tt.tls})
			d := sim.Deliver(t.Context(), simulator.Webhook{URL: tt.url + "/hook", Event: event(t, sim)})
			if tt.wantCause == "" {
				if d.Status != recmock.DeliveryOK {
					t.Fatalf("delivery %s: %+v", d.Status, d.Attempts)
				}
				return
			}
			if d.Status != recmock.DeliveryFailed || len(d.Attempts) == 0 {
				t.Fatalf("delivery %s after %d attempts, want failed", d.Status, len(d.Attempts))
			}
			last := d.Attempts[len(d.Attempts)-1]
			if !strings.HasPrefix(last.Error, tt.wantCause+": ") || !strings.Contains(last.Error, tt.detail) {
				t.Errorf("error %q, want %q first and %q in it", last.Error, tt.wantCause, tt.detail)
			}
			certificate := tt.wantCause != simulator.TLSNotTLS
			if certificate && len(d.Attempts) != 1 {
				t.Errorf("%d attempts: a certificate failure is not worth retrying", len(d.Attempts))
			}
		})
	}
}

// TestWebhookTLSOutcome: NotifyRecording's webhook outcome, what serve and the dashboard
// show, names the TLS cause without any verbose mode.
func TestWebhookTLSOutcome(t *testing.T) {
	ca, _ := testCA(t)
	url := httpsReceiver(t, ca, []string{"127.0.0.1"}, time.Now(), time.Hour)
	sim, _ := newSimulator(t, simulator.Config{S3Endpoint: newS3(t, false, nil).URL(), SMTPAddr: newSink(t).Addr()})
	res, err := sim.NotifyRecording(t.Context(), recmock.DefaultAccount(), recmock.Settings{Username: "temasys", Notify: true, URL: url}, recmock.RecordingOverrides{})
	if err != nil {
		t.Fatal(err)
	}
	want := "no answer after 1 attempt: " + simulator.TLSUnknownAuthority + ": x509: certificate signed by unknown authority"
	if res.Webhook.Status != recmock.OutcomeFailed || !strings.HasPrefix(res.Webhook.Message, want) {
		t.Errorf("webhook outcome %s %q, want failed %q...", res.Webhook.Status, res.Webhook.Message, want)
	}
}

// TestFireSummaryNamesErrors: a batch's summary counts the errors of failed deliveries, so
// simulate shows the cause without --verbose.
func TestFireSummaryNamesErrors(t *testing.T) {
	ca, _ := testCA(t)
	url := httpsReceiver(t, ca, []string{"127.0.0.1"}, time.Now(), time.Hour)
	sim, _ := newSimulator(t, simulator.Config{})
	sum, err := sim.Fire(t.Context(), simulator.Batch{URL: url, Count: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Errors) != 1 {
		t.Fatalf("errors %v, want one", sum.Errors)
	}
	for msg, n := range sum.Errors {
		if n != 3 || !strings.HasPrefix(msg, simulator.TLSUnknownAuthority) {
			t.Errorf("errors %q: %d, want 3 unknown authority", msg, n)
		}
	}
	var text bytes.Buffer
	sum.WriteText(&text)
	if !strings.Contains(text.String(), "\nerror       "+simulator.TLSUnknownAuthority) {
		t.Errorf("the text summary does not show the error:\n%s", text.String())
	}
}

// TestSummaryErrorsBounded: distinct errors past MaxSummaryErrors are counted together.
func TestSummaryErrorsBounded(t *testing.T) {
	var tally simulator.Tally
	for i := range simulator.MaxSummaryErrors + 3 {
		tally.Add([]recmock.Attempt{{N: 1, Error: "read tcp 127.0.0.1:" + string(rune('a'+i))}}, false)
	}
	tally.Add([]recmock.Attempt{{N: 1, Status: 500}}, false) // answered: a status, not an error
	got := tally.Summary(time.Second).Errors
	if len(got) != simulator.MaxSummaryErrors+1 || got[simulator.OtherErrors] != 3 {
		t.Errorf("errors %v, want %d distinct and 3 others", got, simulator.MaxSummaryErrors)
	}
	if diff := cmp.Diff(1, got["read tcp 127.0.0.1:a"]); diff != "" {
		t.Errorf("first error count mismatch (-want +got):\n%s", diff)
	}
}

func event(t *testing.T, sim *simulator.Simulator) recmock.RecordingEvent {
	t.Helper()
	return events(t, sim, 1)[0]
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
