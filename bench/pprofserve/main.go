// Command pprofserve runs recmock's parts in one process with net/http/pprof beside them, to
// profile what the benchmark loads (BENCHMARKS.md, "Profiling"): the mock API, the proxy, the
// SMTP sink. The GC is tuned as serve tunes it.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime/debug"

	"github.com/recmock/recmock/fakes/smtpsink"
	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/proxy"
)

func main() {
	pprofAddr := flag.String("pprof", "127.0.0.1:6060", "net/http/pprof `address`")
	mockAddr := flag.String("mock", "", "serve the mock API at this `address`")
	dataDir := flag.String("data-file", "", "keep the mock's settings in this bbolt `file`")
	proxyAddr := flag.String("proxy", "", "serve a proxy at this `address`")
	upstream := flag.String("upstream", "", "the proxy's upstream `URL`")
	smtpAddr := flag.String("smtp", "", "run the SMTP sink at this `address`")
	flag.Parse()
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(512 << 20)
	}
	if *mockAddr != "" {
		cfg := mock.Config{}
		if *dataDir != "" {
			st, err := mock.OpenBoltStore(*dataDir)
			if err != nil {
				log.Fatal(err)
			}
			cfg.Store = st
		}
		m, err := mock.New(cfg)
		if err != nil {
			log.Fatal(err)
		}
		go func() { log.Fatal(http.ListenAndServe(*mockAddr, m)) }()
		fmt.Println("mock", *mockAddr)
	}
	if *proxyAddr != "" {
		p, err := proxy.New(proxy.Config{Upstream: *upstream})
		if err != nil {
			log.Fatal(err)
		}
		go func() { log.Fatal(http.ListenAndServe(*proxyAddr, p)) }()
		fmt.Println("proxy", *proxyAddr)
	}
	if *smtpAddr != "" {
		s, err := smtpsink.Start(smtpsink.Config{Addr: *smtpAddr})
		if err != nil {
			log.Fatal(err)
		}
		defer s.Close()
		fmt.Println("smtp", s.Addr())
	}
	log.Fatal(http.ListenAndServe(*pprofAddr, nil))
}
