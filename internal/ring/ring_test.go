package ring_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock/internal/ring"
)

func TestRing(t *testing.T) {
	r := ring.New[int](3)
	for i := 1; i <= 5; i++ {
		r.Add(i)
	}
	tests := []struct {
		limit   int
		want    []int
		held    int
		dropped int64
	}{
		{-1, []int{5, 4, 3}, 3, 2},
		{2, []int{5, 4}, 3, 2},
		{10, []int{5, 4, 3}, 3, 2},
		{0, []int{}, 3, 2},
	}
	for _, tt := range tests {
		got, held, dropped := r.Newest(tt.limit, nil)
		if diff := cmp.Diff(tt.want, got); diff != "" || held != tt.held || dropped != tt.dropped {
			t.Errorf("Newest(%d) = %v, %d, %d; want held %d dropped %d (-want +got):\n%s", tt.limit, got, held, dropped, tt.held, tt.dropped, diff)
		}
	}
	r.Reset()
	if got, held, dropped := r.Newest(-1, nil); len(got) != 0 || held != 0 || dropped != 0 {
		t.Errorf("after Reset: %v %d %d", got, held, dropped)
	}
	doubled, _, _ := ring.New[int](0).Newest(-1, nil)
	if len(doubled) != 0 {
		t.Errorf("empty ring of size 0: %v", doubled)
	}
}

func TestRingConcurrent(t *testing.T) {
	r := ring.New[*int](8)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 100 {
				v := i*1000 + j
				r.Add(&v)
				r.Do(func() { v++ })
				r.Newest(4, func(p *int) *int { c := *p; return &c })
			}
		})
	}
	wg.Wait()
	if _, held, dropped := r.Newest(-1, nil); held != 8 || dropped != 792 {
		t.Errorf("held %d, dropped %d; want 8 and 792", held, dropped)
	}
}

func ExampleRing() {
	r := ring.New[string](2)
	r.Add("a")
	r.Add("b")
	r.Add("c")
	items, held, dropped := r.Newest(-1, nil)
	fmt.Println(items, held, dropped)
	// Output: [c b] 2 1
}
