package simulator_test

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	fakes3 "github.com/recmock/recmock/fakes/s3"
	"github.com/recmock/recmock/fakes/smtpsink"
	"github.com/recmock/recmock/internal/wire"
	"github.com/recmock/recmock/simulator"
)

// fixedNow is the clock of golden tests: 2026-11-30T10:00:00Z.
var fixedNow = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return fixedNow }

// sleeps records the waits a Simulator asks for and returns at once, so retries cost no time.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration{}, s.d...)
}

// newSimulator starts a Simulator whose waits are instant; cfg's other fields are kept.
func newSimulator(t *testing.T, cfg simulator.Config) (*simulator.Simulator, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	if cfg.Sleep == nil {
		cfg.Sleep = sl.sleep
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.New(rand.NewPCG(1, 2))
	}
	sim, err := simulator.New(cfg)
	if err != nil {
		t.Fatalf("simulator.New: %v", err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim, sl
}

// newS3 starts the fake S3; strict mode accepts only creds.
func newS3(t *testing.T, strict bool, creds map[string]string) *fakes3.Server {
	t.Helper()
	srv, err := fakes3.NewServer(fakes3.Config{Strict: strict, Credentials: creds})
	if err != nil {
		t.Fatalf("fake S3: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func newSink(t *testing.T) *smtpsink.Sink {
	t.Helper()
	sink, err := smtpsink.Start(smtpsink.Config{})
	if err != nil {
		t.Fatalf("SMTP sink: %v", err)
	}
	t.Cleanup(func() { sink.Close() })
	return sink
}

// request is what a receiver got.
type request struct {
	header http.Header
	body   []byte
}

// answer is one scripted reply of a receiver.
type answer struct {
	status     int
	retryAfter string
	body       string
	hang       bool // wait until the client gives up
}

// scripted is a receiver replying with answers in turn, the last one from then on.
func scripted(t *testing.T, answers ...answer) (*httptest.Server, <-chan request) {
	t.Helper()
	got := make(chan request, 1000)
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- request{header: r.Header.Clone(), body: body}
		mu.Lock()
		a := answers[min(n, len(answers)-1)]
		n++
		mu.Unlock()
		if a.hang {
			<-r.Context().Done()
			return
		}
		if a.retryAfter != "" {
			w.Header().Set("Retry-After", a.retryAfter)
		}
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// receiver is a scripted receiver answering statuses in turn, with their status text as the
// body and, on 429 and 503, a Retry-After of 0 so retries do not wait.
func receiver(t *testing.T, statuses ...int) (*httptest.Server, <-chan request) {
	t.Helper()
	answers := make([]answer, len(statuses))
	for i, st := range statuses {
		answers[i] = answer{status: st, body: http.StatusText(st)}
		if st == http.StatusTooManyRequests || st == http.StatusServiceUnavailable {
			answers[i].retryAfter = "0"
		}
	}
	return scripted(t, answers...)
}

// received drains what a receiver got so far.
func received(ch <-chan request) []request {
	var out []request
	for {
		select {
		case r := <-ch:
			out = append(out, r)
		default:
			return out
		}
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func validator(t testing.TB) *wire.Validator {
	t.Helper()
	v, err := wire.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func ptr[T any](v T) *T { return &v }

// deliveries lists the simulator's delivery log.
func deliveries(t testing.TB, sim *simulator.Simulator) simulator.DeliveryList {
	t.Helper()
	l, err := sim.Deliveries(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return l
}
