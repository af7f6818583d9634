package simulator

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/recmock/recmock"
)

// Batch is a run of events fired straight at a webhook receiver, without S3 or e-mail.
type Batch struct {
	// URL is the receiver.
	URL string
	// Count is how many events to build. Default 1.
	Count int
	// Concurrency is how many deliveries run at once. Default 1.
	Concurrency int
	// Rate caps how many events start per second; 0 means as fast as the receiver answers.
	Rate float64
	// APIKey goes into every event. Default recmock.DefaultAccount's, "demo-key".
	APIKey string
	// Overrides apply to every event.
	Overrides recmock.RecordingOverrides
	// Variant alters what is sent; see the package documentation.
	Variant Variant
	// OnDelivery, when set, is called after each delivery, from many goroutines at once, with
	// whether the receiver handled it as the variant expects. Progress bars hook in here.
	OnDelivery func(d recmock.Delivery, handled bool)
}

// ErrBatch is wrapped by Fire's errors about the batch itself.
var ErrBatch = errors.New("simulator: invalid batch")

type job struct {
	ev     recmock.RecordingEvent
	bodies [][]byte
}

// Fire builds Count events and POSTs them to the receiver, Concurrency at a time and at most
// Rate per second. Events are built in order from the seed, so a seed gives the same events
// whatever the concurrency; bodies are marshalled once, ahead of the senders, and reused on
// every retry. Each retrievalUrl is presigned for the default bucket at S3Endpoint: well-formed
// but pointing at nothing, since nothing is uploaded.
//
// Memory stays flat however many events are fired: deliveries go to the bounded log, and
// latencies into a fixed-size histogram. Fire returns when every event is delivered or ctx
// ends; the summary counts what was sent. An error means the batch could not start, or an
// event could not be built from the overrides.
func (s *Simulator) Fire(ctx context.Context, b Batch) (Summary, error) {
	if b.Count == 0 {
		b.Count = 1
	}
	if b.Concurrency == 0 {
		b.Concurrency = 1
	}
	if b.APIKey == "" {
		b.APIKey = recmock.DefaultAccount().APIKey
	}
	switch {
	case b.URL == "":
		return Summary{}, fmt.Errorf("%w: no URL", ErrBatch)
	case b.Count < 0 || b.Concurrency < 0 || b.Rate < 0:
		return Summary{}, fmt.Errorf("%w: count, concurrency and rate must not be negative", ErrBatch)
	}
	if err := checkEndpoint(b.URL); err != nil {
		return Summary{}, fmt.Errorf("%w: URL: %w", ErrBatch, err)
	}
	if _, err := ParseVariant(string(b.Variant)); err != nil {
		return Summary{}, fmt.Errorf("%w: %w", ErrBatch, err)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan job, b.Concurrency)
	var buildErr error
	start := s.now()
	// One producer builds events in seed order and paces them; the senders only send.
	go func() {
		defer close(jobs)
		for i := range b.Count {
			if b.Rate > 0 {
				due := start.Add(time.Duration(float64(i) / b.Rate * float64(time.Second)))
				if s.sleep(ctx, due.Sub(s.now())) != nil {
					return
				}
			}
			j, err := s.buildJob(b)
			if err != nil {
				buildErr = err
				cancel()
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}()

	var tally Tally
	var wg sync.WaitGroup
	for range min(b.Concurrency, b.Count) {
		wg.Go(func() {
			for j := range jobs {
				for _, body := range j.bodies {
					if ctx.Err() != nil {
						break // interrupted: what is still queued was never sent
					}
					d := s.Deliver(ctx, Webhook{URL: b.URL, Event: j.ev, Body: body})
					handled := b.Variant.Handles(lastStatus(d.Attempts))
					tally.Add(d.Attempts, handled)
					if b.OnDelivery != nil {
						b.OnDelivery(d, handled)
					}
				}
			}
		})
	}
	wg.Wait()
	sum := tally.Summary(s.now().Sub(start))
	sum.URL, sum.Variant = b.URL, string(b.Variant)
	if buildErr != nil {
		return sum, buildErr
	}
	return sum, nil
}

func (s *Simulator) buildJob(b Batch) (job, error) {
	ev, err := s.event(b.APIKey, b.Overrides)
	if err != nil {
		return job{}, err
	}
	if ev.RetrievalURL, err = s.def.presign(ev.MeetingID); err != nil {
		return job{}, fmt.Errorf("simulator: presign retrievalUrl: %w", err)
	}
	bodies, err := b.Variant.Bodies(ev)
	if err != nil {
		return job{}, err
	}
	return job{ev: ev, bodies: bodies}, nil
}

func lastStatus(as []recmock.Attempt) int {
	if len(as) == 0 {
		return 0
	}
	return as[len(as)-1].Status
}
