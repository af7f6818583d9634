package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const apiPath = "/rest/recording/notifications"

// A target is one HTTP server under load.
type target struct {
	name string
	p    *proc
	url  string // base URL, no trailing slash
	// peer: a server recmock is compared with (Prism). A connection it drops under load is
	// noted, not fatal: its figure counts what it answered. recmock's must be clean.
	peer bool
}

// startServe starts recmock serve on free ports; later flags in extra override earlier ones.
func startServe(cfg *config, name string, extra ...string) (*target, error) {
	addr := freeAddr()
	args := append([]string{cfg.recmock, "serve", "--addr", addr, "--smtp-addr", "127.0.0.1:0", "--s3-addr", "127.0.0.1:0"}, extra...)
	p, err := start(name, nil, args...)
	if err != nil {
		return nil, err
	}
	if _, err := waitHealthy(p, "http://"+addr+"/_admin/health", time.Now(), 10*time.Second); err != nil {
		return nil, err
	}
	return &target{name: name, p: p, url: "http://" + addr}, nil
}

func startPrism(cfg *config, name string, args ...string) (*target, error) {
	addr := freeAddr()
	host, port, _ := net.SplitHostPort(addr)
	p, err := start(name, nil, append(append([]string{cfg.prism}, args...), "-h", host, "-p", port, "-v", "warn")...)
	if err != nil {
		return nil, err
	}
	if _, err := waitHealthy(p, "http://"+addr+"/_admin/health", time.Now(), 90*time.Second); err != nil {
		return nil, err
	}
	return &target{name: name, p: p, url: "http://" + addr, peer: true}, nil
}

// load runs warm-up, then cfg.rounds interleaved rounds of GET and PUT on every target, the
// order rotated each round so no target always follows the same one. It returns each
// target's runs, by name and method, and adds every request sent to counts.
func load(cfg *config, targets []*target, counts map[string]int64) (map[string]map[string]series, error) {
	out := map[string]map[string]series{}
	for _, t := range targets {
		out[t.name] = map[string]series{}
		for _, m := range []string{"GET", "PUT"} {
			r, err := runWrk(cfg, m, t.url+apiPath, time.Second)
			if err != nil {
				return out, fmt.Errorf("warm-up of %s: %w", t.name, err)
			}
			counts[t.name] += r.Requests
		}
	}
	for round := range cfg.rounds {
		for i := range targets {
			t := targets[(i+round)%len(targets)]
			for _, m := range []string{"GET", "PUT"} {
				r, err := runWrk(cfg, m, t.url+apiPath, cfg.dur)
				if err != nil && t.peer && r.Requests > 0 && r.Non2xx == 0 {
					logf("   round %d %-14s %s: %v (a peer's dropped connections: noted, not fatal)", round+1, t.name, m, err)
					err = nil
				}
				if err != nil {
					return out, fmt.Errorf("%s: %w", t.name, err)
				}
				counts[t.name] += r.Requests
				out[t.name][m] = append(out[t.name][m], r)
				logf("   round %d %-14s %s %8.0f req/s  p50 %6.2fms  p99 %6.2fms", round+1, t.name, m, r.RPS(), float64(r.P50us)/1000, float64(r.P99us)/1000)
			}
		}
	}
	return out, nil
}

func benchHTTP(cfg *config, res *results) error {
	addr := freeAddr()
	p, err := start("bare", []string{"GOGC=400", "GOMEMLIMIT=512MiB"}, cfg.bare, "-addr", addr)
	if err != nil {
		return err
	}
	if _, err := waitHealthy(p, "http://"+addr+"/", time.Now(), 10*time.Second); err != nil {
		return err
	}
	bare := &target{name: "bare net/http", p: p, url: "http://" + addr}

	mem, err := startServe(cfg, "recmock")
	if err != nil {
		return err
	}
	time.Sleep(time.Second)
	res.RSSIdleKiB = mem.p.rss()
	dir, err := os.MkdirTemp(cfg.workDir, "data-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	disk, err := startServe(cfg, "recmock bbolt", "--data-dir", dir)
	if err != nil {
		return err
	}
	prism, err := startPrism(cfg, "prism mock", "mock", cfg.spec)
	if err != nil {
		return err
	}
	res.PrismRSSIdleKiB = prism.p.rss()
	for _, t := range []*target{mem, disk} {
		if err := do("POST", t.url+apiPath, putBody, 200); err != nil {
			return err
		}
	}
	counts := map[string]int64{}
	runs, err := load(cfg, []*target{bare, mem, disk, prism}, counts)
	res.HTTP = runs
	if err != nil {
		return err
	}
	// Top up the in-memory server to a million requests, half GETs and half PUTs, for the
	// loaded RSS.
	for counts[mem.name] < cfg.millionRequests {
		for _, m := range []string{"GET", "PUT"} {
			r, err := runWrk(cfg, m, mem.url+apiPath, 5*time.Second)
			if err != nil {
				return err
			}
			counts[mem.name] += r.Requests
		}
	}
	res.RSSLoadedKiB = mem.p.rss()
	res.RSSPeakKiB = rssKiB(mem.p.pid(), "VmHWM")
	res.RSSRequests = counts[mem.name]
	res.PrismRSSLoadedKiB = prism.p.rss()
	res.PrismRequests = counts[prism.name]
	return nil
}

func benchProxy(cfg *config, res *results) error {
	up, err := startServe(cfg, "upstream")
	if err != nil {
		return err
	}
	if err := do("POST", up.url+apiPath, putBody, 200); err != nil {
		return err
	}
	up.name = "serve (direct)"
	addr := freeAddr()
	p, err := start("recmock proxy", nil, cfg.recmock, "proxy", "--upstream", up.url, "--addr", addr)
	if err != nil {
		return err
	}
	if _, err := waitHealthy(p, "http://"+addr+"/_recmock/requests", time.Now(), 10*time.Second); err != nil {
		return err
	}
	rp := &target{name: "recmock proxy", p: p, url: "http://" + addr}
	pp, err := startPrism(cfg, "prism proxy", "proxy", cfg.spec, up.url)
	if err != nil {
		return err
	}
	counts := map[string]int64{}
	runs, err := load(cfg, []*target{up, rp, pp}, counts)
	res.Proxy = runs
	if err != nil {
		return err
	}
	// The proxy must have validated every exchange and found nothing wrong, or the figures
	// measure the wrong thing.
	var j struct {
		Total int `json:"total"`
		Items []struct {
			Validated  bool  `json:"validated"`
			Violations []any `json:"violations"`
		} `json:"items"`
	}
	b, err := getBody(rp.url + "/_recmock/requests?limit=1000")
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("proxy journal: %v", err)
	}
	for _, it := range j.Items {
		if !it.Validated || len(it.Violations) > 0 {
			return fmt.Errorf("recmock proxy did not validate cleanly: %s", b[:min(len(b), 2000)])
		}
	}
	return nil
}

func getBody(url string) ([]byte, error) {
	res, err := pollClient.Get(url)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(res.Body)
	return buf.Bytes(), err
}

// benchStart starts recmock, Mailpit and Prism in turn, cfg.starts times (Prism
// cfg.prismStarts times), each measured from fork to its first 200 answer.
func benchStart(cfg *config, res *results) error {
	for i := range cfg.starts {
		addr := freeAddr()
		t0 := time.Now()
		p, err := start("recmock serve", nil, cfg.recmock, "serve", "--addr", addr, "--smtp-addr", "127.0.0.1:0", "--s3-addr", "127.0.0.1:0")
		if err != nil {
			return err
		}
		d, err := waitHealthy(p, "http://"+addr+"/_admin/health", t0, 10*time.Second)
		p.stop()
		if err != nil {
			return err
		}
		res.StartRecmock = append(res.StartRecmock, d)

		addr, smtp := freeAddr(), freeAddr()
		t0 = time.Now()
		p, err = start("mailpit", nil, cfg.mailpit, "--listen", addr, "--smtp", smtp, "--quiet", "--disable-version-check")
		if err != nil {
			return err
		}
		d, err = waitHealthy(p, "http://"+addr+"/readyz", t0, 20*time.Second)
		p.stop()
		if err != nil {
			return err
		}
		res.StartMailpit = append(res.StartMailpit, d)

		if i < cfg.prismStarts {
			addr := freeAddr()
			host, port, _ := net.SplitHostPort(addr)
			t0 = time.Now()
			p, err = start("prism mock", nil, cfg.prism, "mock", cfg.spec, "-h", host, "-p", port, "-v", "warn")
			if err != nil {
				return err
			}
			d, err = waitHealthy(p, "http://"+addr+"/_admin/health", t0, 90*time.Second)
			p.stop()
			if err != nil {
				return err
			}
			res.StartPrism = append(res.StartPrism, d)
		}
		logf("   start %2d: recmock %6.1fms  mailpit %6.1fms  prism %s", i+1,
			ms(res.StartRecmock[i]), ms(res.StartMailpit[i]), func() string {
				if i < len(res.StartPrism) {
					return fmt.Sprintf("%.0fms", ms(res.StartPrism[i]))
				}
				return "-"
			}())
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

type smtpResult struct {
	Messages  int64   `json:"messages"`
	Errors    int64   `json:"errors"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"perSecond"`
	FirstErr  string  `json:"firstError"`
}

func runSMTPLoad(cfg *config, addr string, d time.Duration) (smtpResult, error) {
	out, err := exec.Command(cfg.smtpload, "-addr", addr, "-conns", "8", "-duration", d.String(), "-message", cfg.eml).Output()
	var r smtpResult
	if jerr := json.Unmarshal(bytes.TrimSpace(out), &r); jerr != nil {
		return r, fmt.Errorf("smtpload %s: %v %v: %s", addr, err, jerr, out)
	}
	if err != nil || r.Errors > 0 {
		return r, fmt.Errorf("smtpload %s: %d errors, first: %s", addr, r.Errors, r.FirstErr)
	}
	return r, nil
}

func benchSMTP(cfg *config, res *results) error {
	sinkAddr := freeAddr()
	mem, err := startServe(cfg, "recmock", "--smtp-addr", sinkAddr)
	if err != nil {
		return err
	}
	httpAddr, mpAddr := freeAddr(), freeAddr()
	mp, err := start("mailpit", nil, cfg.mailpit, "--listen", httpAddr, "--smtp", mpAddr, "--quiet", "--disable-version-check", "--smtp-disable-rdns")
	if err != nil {
		return err
	}
	if _, err := waitHealthy(mp, "http://"+httpAddr+"/readyz", time.Now(), 20*time.Second); err != nil {
		return err
	}
	time.Sleep(time.Second)
	res.SMTPRSSIdleKiB = map[string]int64{"recmock": mem.p.rss(), "mailpit": mp.rss()}
	sinks := []struct {
		name, addr string
		p          *proc
	}{{"recmock", sinkAddr, mem.p}, {"mailpit", mpAddr, mp}}
	for _, s := range sinks {
		if _, err := runSMTPLoad(cfg, s.addr, time.Second); err != nil {
			return fmt.Errorf("warm-up of %s: %w", s.name, err)
		}
	}
	res.SMTP = map[string][]smtpResult{}
	for round := range cfg.rounds {
		for i := range sinks {
			s := sinks[(i+round)%len(sinks)]
			r, err := runSMTPLoad(cfg, s.addr, 5*time.Second)
			if err != nil {
				return err
			}
			res.SMTP[s.name] = append(res.SMTP[s.name], r)
			logf("   round %d %-8s %7.0f msg/s", round+1, s.name, r.PerSecond)
		}
	}
	res.SMTPRSSKiB = map[string]int64{"recmock": mem.p.rss(), "mailpit": mp.rss()}
	return nil
}

type simRun struct {
	Count        int      `json:"count"`
	Seconds      float64  `json:"seconds"` // wall time of the process
	EventsPerSec float64  `json:"eventsPerSec"`
	Failed       int      `json:"failed"`
	RSSKiB       []int64  `json:"rssKiB"` // sampled every 20ms
	Quartiles    [4]int64 `json:"quartilesKiB"`
	PeakKiB      int64    `json:"peakKiB"`
}

func benchSimulate(cfg *config, res *results) error {
	addr := freeAddr()
	recv, err := start("receiver", nil, cfg.receiver, "-addr", addr)
	if err != nil {
		return err
	}
	if _, err := waitHealthy(recv, "http://"+addr+"/count", time.Now(), 10*time.Second); err != nil {
		return err
	}
	for _, n := range []int{cfg.simCount / 5, cfg.simCount} {
		t0 := time.Now()
		p, err := start("recmock simulate", nil, cfg.recmock, "simulate", "--url", "http://"+addr+"/hook",
			"--count", strconv.Itoa(n), "--concurrency", "64", "--json")
		if err != nil {
			return err
		}
		var samples []int64
		for !p.exited() {
			if k := p.rss(); k > 0 {
				samples = append(samples, k)
			}
			time.Sleep(20 * time.Millisecond)
		}
		wall := time.Since(t0)
		out := p.out.String()
		if code := p.cmd.ProcessState.ExitCode(); code != 0 {
			return fmt.Errorf("recmock simulate exited %d:\n%s", code, tail(out))
		}
		var sum struct {
			Sent, Failed int
			EventsPerSec float64
		}
		if i := strings.IndexByte(out, '{'); i < 0 || json.Unmarshal([]byte(out[i:]), &sum) != nil {
			return fmt.Errorf("recmock simulate: no JSON summary in:\n%s", tail(out))
		}
		run := simRun{Count: n, Seconds: wall.Seconds(), EventsPerSec: sum.EventsPerSec, Failed: sum.Failed, RSSKiB: samples}
		for _, s := range samples {
			run.PeakKiB = max(run.PeakKiB, s)
		}
		if len(samples) > 0 {
			for q := range 4 {
				run.Quartiles[q] = samples[min(len(samples)-1, (q+1)*len(samples)/4)]
			}
		}
		res.Simulate = append(res.Simulate, run)
		logf("   simulate %6d events: %.0f events/s (wall %.1fs), RSS peak %d KiB, quartiles %v", n, sum.EventsPerSec, wall.Seconds(), run.PeakKiB, run.Quartiles)
		p.stop()
	}
	return nil
}

var passedRE = regexp.MustCompile(`(\d+) passed, (\d+) failed, (\d+) skipped`)

func benchContract(cfg *config, res *results) error {
	mem, err := startServe(cfg, "recmock")
	if err != nil {
		return err
	}
	for range cfg.contractRuns {
		// Every run starts from an account without settings, as the first one does: the
		// suite leaves {"notify":false} behind, which would skip some checks next time.
		if err := do("POST", mem.url+"/_admin/reset", "", 200); err != nil {
			return err
		}
		t0 := time.Now()
		out, err := exec.Command(cfg.recmock, "contract", "--base-url", mem.url, "--basic", "demo-key:demo-secret", "--allow-writes").CombinedOutput()
		d := time.Since(t0)
		if err != nil {
			return fmt.Errorf("recmock contract: %v\n%s", err, tail(string(out)))
		}
		if m := passedRE.FindStringSubmatch(string(out)); m != nil {
			res.ContractSummary = m[0]
		}
		res.Contract = append(res.Contract, d)
		logf("   contract: %.0fms (%s)", ms(d), res.ContractSummary)
	}
	return nil
}

var nsPerOpRE = regexp.MustCompile(`BenchmarkNew\S*\s+\d+\s+([0-9.]+) ns/op`)

// benchRecmocktest runs recmocktest's BenchmarkNew from its test binary (run.sh builds it):
// once per process with -benchtime 1x, which includes parsing openapi.yaml, and many times
// in one process, which is what each further test pays.
func benchRecmocktest(cfg *config, res *results) error {
	if _, err := os.Stat(cfg.recmocktest); err != nil {
		return nil // not built: recmocktest has not landed in this checkout
	}
	run := func(benchtime string, count int) ([]time.Duration, error) {
		out, err := exec.Command(cfg.recmocktest, "-test.run", "^$", "-test.bench", "^BenchmarkNew$",
			"-test.benchtime", benchtime, "-test.count", strconv.Itoa(count)).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("recmocktest BenchmarkNew: %v\n%s", err, tail(string(out)))
		}
		var ds []time.Duration
		for _, m := range nsPerOpRE.FindAllStringSubmatch(string(out), -1) {
			ns, _ := strconv.ParseFloat(m[1], 64)
			ds = append(ds, time.Duration(ns))
		}
		if len(ds) == 0 {
			return nil, fmt.Errorf("recmocktest BenchmarkNew: no result in\n%s", tail(string(out)))
		}
		return ds, nil
	}
	for range 5 {
		ds, err := run("1x", 1)
		if err != nil {
			return err
		}
		res.NewFirst = append(res.NewFirst, ds...)
	}
	ds, err := run("200x", 5)
	if err != nil {
		return err
	}
	res.NewNext = ds
	logf("   recmocktest.New: first in a process %.2fms, then %.3fms", ms(medianDur(res.NewFirst)), ms(medianDur(res.NewNext)))
	return nil
}
