// Command benchrun runs recmock's benchmark (BENCHMARKS.md): it starts recmock, a bare
// net/http server, Stoplight Prism and Mailpit, loads them in interleaved rounds, and prints
// the figures as a Markdown table of ratios measured in the same run. bench/run.sh installs
// the peers, builds the tools and calls it.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

type config struct {
	recmock, bare, receiver, smtpload string // binaries built by run.sh
	recmocktest                       string // recmocktest's test binary
	wrk, prism, mailpit               string
	wrkDir, spec, eml, workDir        string
	rounds                            int
	dur                               time.Duration
	starts, prismStarts               int
	simCount                          int
	contractRuns                      int
	millionRequests                   int64
	only                              map[string]bool
	out, jsonOut                      string
	peers                             string
}

func main() {
	var cfg config
	var only string
	flag.StringVar(&cfg.recmock, "recmock", "bench/.cache/bin/recmock", "recmock `binary`")
	flag.StringVar(&cfg.bare, "bare", "bench/.cache/bin/bare", "bench/bare `binary`")
	flag.StringVar(&cfg.receiver, "receiver", "bench/.cache/bin/receiver", "bench/receiver `binary`")
	flag.StringVar(&cfg.smtpload, "smtpload", "bench/.cache/bin/smtpload", "bench/smtpload `binary`")
	flag.StringVar(&cfg.recmocktest, "recmocktest", "bench/.cache/bin/recmocktest.test", "recmocktest's test `binary` (go test -c ./recmocktest)")
	flag.StringVar(&cfg.wrk, "wrk", "wrk", "wrk `binary`")
	flag.StringVar(&cfg.prism, "prism", "bench/.cache/node_modules/.bin/prism", "Stoplight Prism `binary`")
	flag.StringVar(&cfg.mailpit, "mailpit", "bench/.cache/bin/mailpit", "Mailpit `binary`")
	flag.StringVar(&cfg.wrkDir, "wrk-scripts", "bench/wrk", "`directory` of get.lua and put.lua")
	flag.StringVar(&cfg.spec, "spec", "openapi.yaml", "the OpenAPI `file` Prism serves")
	flag.StringVar(&cfg.eml, "message", "simulator/testdata/email.eml", "the e-mail `file` the SMTP benchmark sends")
	flag.StringVar(&cfg.workDir, "work", "bench/.cache/run", "scratch `directory` on the disk under test (data dirs)")
	flag.IntVar(&cfg.rounds, "rounds", 3, "interleaved rounds of each HTTP and SMTP measurement")
	flag.DurationVar(&cfg.dur, "duration", 3*time.Second, "length of one wrk run")
	flag.IntVar(&cfg.starts, "starts", 20, "cold starts of recmock and Mailpit")
	flag.IntVar(&cfg.prismStarts, "prism-starts", 10, "cold starts of Prism (each takes seconds)")
	flag.IntVar(&cfg.simCount, "sim-count", 100000, "events recmock simulate fires")
	flag.IntVar(&cfg.contractRuns, "contract-runs", 5, "runs of the contract suite")
	flag.Int64Var(&cfg.millionRequests, "rss-requests", 1000000, "requests served before the loaded RSS is read")
	flag.StringVar(&cfg.peers, "peers", "", "versions of the tools, for the report")
	flag.StringVar(&only, "only", "", "comma-separated `sections` to run: start, http, proxy, smtp, simulate, contract, recmocktest, durable (default all)")
	flag.StringVar(&cfg.out, "out", "bench/.cache/latest.md", "write the Markdown table to this `file` too")
	flag.StringVar(&cfg.jsonOut, "json", "bench/.cache/latest.json", "write the raw figures to this `file`")
	flag.Parse()
	if only != "" {
		cfg.only = map[string]bool{}
		for s := range strings.SplitSeq(only, ",") {
			cfg.only[strings.TrimSpace(s)] = true
		}
	}
	if err := os.MkdirAll(cfg.workDir, 0o755); err != nil {
		fatal(err)
	}
	// Absolute: PostgreSQL, started in a directory under it, resolves paths from its own.
	if abs, err := filepath.Abs(cfg.workDir); err == nil {
		cfg.workDir = abs
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		fmt.Fprintln(os.Stderr, "\ninterrupted: stopping every server started")
		stopAll()
		os.Exit(130)
	}()
	defer stopAll()

	res := &results{Started: time.Now().UTC()}
	res.Machine = machine()
	res.Peers = cfg.peers
	sections := []struct {
		name string
		run  func(*config, *results) error
	}{
		{"start", benchStart},
		{"http", benchHTTP},
		{"proxy", benchProxy},
		{"smtp", benchSMTP},
		{"simulate", benchSimulate},
		{"contract", benchContract},
		{"recmocktest", benchRecmocktest},
		{"durable", benchDurable},
	}
	failed := false
	for _, s := range sections {
		if cfg.only != nil && !cfg.only[s.name] {
			continue
		}
		t0 := time.Now()
		logf("== %s", s.name)
		if err := s.run(&cfg, res); err != nil {
			fmt.Fprintf(os.Stderr, "benchrun: %s: %v\n", s.name, err)
			res.Failures = append(res.Failures, s.name+": "+err.Error())
			failed = true
		}
		stopAll()
		logf("   %s took %.0fs", s.name, time.Since(t0).Seconds())
	}
	res.Seconds = time.Since(res.Started).Seconds()
	table := res.markdown(&cfg)
	fmt.Print(table)
	if cfg.out != "" {
		os.MkdirAll(filepath.Dir(cfg.out), 0o755)
		if err := os.WriteFile(cfg.out, []byte(table), 0o644); err != nil {
			fatal(err)
		}
	}
	if cfg.jsonOut != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(cfg.jsonOut, b, 0o644); err != nil {
			fatal(err)
		}
	}
	if failed {
		stopAll()
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "benchrun:", err)
	stopAll()
	os.Exit(1)
}

func machine() string {
	cpu := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	var total string
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		total = strings.Join(strings.Fields(line)[1:], " ")
	}
	return fmt.Sprintf("%s, %d CPUs, %s RAM", cpu, runtime.NumCPU(), total)
}
