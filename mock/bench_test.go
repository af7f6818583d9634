package mock_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/mock"
)

// The handler benchmarks measure the mock's own cost per request, without the network;
// BENCHMARKS.md has the end-to-end figures (wrk against serve and a bare net/http server).

const benchPut = `{"notify":true,"url":"https://site.com/events","email":"a@b.com,b@c.com","s3Arn":"arn:aws:s3:region::folder_name/objectpath","s3AccessKeyId":"akewjdwifuendjf","s3SecretAccessKey":"iewmdfuasfwnwksd"}`

func benchServer(b *testing.B) http.Handler {
	m, err := mock.New(mock.Config{})
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("POST", "http://127.0.0.1"+path, strings.NewReader(benchPut))
	r.SetBasicAuth("demo-key", "demo-secret")
	m.ServeHTTP(httptest.NewRecorder(), r)
	return m
}

// bare answers the same bytes as a GET, with nothing else: the ceiling.
var bare = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status":1,"content":{"data":{"username":"temasys","notify":true,"url":"https://site.com/events","email":["a@b.com","b@c.com"]}}}` + "\n"))
})

func benchHandler(b *testing.B, h http.Handler, method, body string) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(method, "http://127.0.0.1"+path, strings.NewReader(body))
			r.SetBasicAuth("demo-key", "demo-secret")
			if body != "" {
				r.Header.Set("Content-Type", "application/json")
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("%s: %d %s", method, w.Code, w.Body)
			}
		}
	})
}

func BenchmarkBareGET(b *testing.B) { benchHandler(b, bare, "GET", "") }
func BenchmarkGET(b *testing.B)     { benchHandler(b, benchServer(b), "GET", "") }
func BenchmarkPUT(b *testing.B)     { benchHandler(b, benchServer(b), "PUT", benchPut) }

// BenchmarkBoltPut measures durable writes on the bbolt store alone, each acknowledged after
// its fsync: one writer, and 32 sharing commits. BENCHMARKS.md has the end-to-end figures.
func BenchmarkBoltPut(b *testing.B) {
	for _, writers := range []int{1, 32} {
		b.Run(fmt.Sprint(writers, "writers"), func(b *testing.B) {
			s := boltStore(b)
			var n atomic.Int64
			b.SetParallelism(max(1, writers/runtime.GOMAXPROCS(0)))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if err := s.Put(b.Context(), recmock.Settings{Username: fmt.Sprint("u", i%64), Notify: true}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "puts/s")
		})
	}
}
