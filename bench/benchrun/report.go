package main

import (
	"fmt"
	"strings"
	"time"
)

// results is everything one run measured; -json writes it as is.
type results struct {
	Started  time.Time `json:"started"`
	Seconds  float64   `json:"seconds"`
	Machine  string    `json:"machine"`
	Peers    string    `json:"peers"`
	Failures []string  `json:"failures,omitempty"`

	HTTP              map[string]map[string]series `json:"http,omitempty"`  // target -> method -> rounds
	Proxy             map[string]map[string]series `json:"proxy,omitempty"` // idem
	RSSIdleKiB        int64                        `json:"rssIdleKiB,omitempty"`
	RSSLoadedKiB      int64                        `json:"rssLoadedKiB,omitempty"`
	RSSPeakKiB        int64                        `json:"rssPeakKiB,omitempty"`
	RSSRequests       int64                        `json:"rssRequests,omitempty"`
	PrismRSSIdleKiB   int64                        `json:"prismRssIdleKiB,omitempty"`
	PrismRSSLoadedKiB int64                        `json:"prismRssLoadedKiB,omitempty"`
	PrismRequests     int64                        `json:"prismRequests,omitempty"`

	StartRecmock []time.Duration `json:"startRecmock,omitempty"`
	StartMailpit []time.Duration `json:"startMailpit,omitempty"`
	StartPrism   []time.Duration `json:"startPrism,omitempty"`

	SMTP           map[string][]smtpResult `json:"smtp,omitempty"`
	SMTPRSSIdleKiB map[string]int64        `json:"smtpRssIdleKiB,omitempty"`
	SMTPRSSKiB     map[string]int64        `json:"smtpRssKiB,omitempty"`

	Simulate []simRun `json:"simulate,omitempty"`

	Contract        []time.Duration `json:"contract,omitempty"`
	ContractSummary string          `json:"contractSummary,omitempty"`

	Durable map[string]series `json:"durable,omitempty"` // store and connections -> rounds

	NewFirst []time.Duration `json:"recmocktestNewFirst,omitempty"`
	NewNext  []time.Duration `json:"recmocktestNewNext,omitempty"`
}

type row struct{ metric, ours, peer, ratio, target, met string }

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

func rps(v float64) string { return fmt.Sprintf("%.0f req/s", v) }

func lat(s series) string {
	return fmt.Sprintf("%.2f / %.2f ms", s.medianP50()/1000, s.medianP99()/1000)
}

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func (r *results) markdown(cfg *config) string {
	var rows []row
	add := func(x row) { rows = append(rows, x) }
	if h := r.HTTP; h != nil {
		bare, mem, disk, prism := h["bare net/http"], h["recmock"], h["recmock bbolt"], h["prism mock"]
		for _, m := range []string{"GET", "PUT"} {
			goal := map[string]float64{"GET": 0.75, "PUT": 0.50}[m]
			ratio := mem[m].medianRPS() / bare[m].medianRPS()
			add(row{m + " throughput, in memory (vs bare net/http)", rps(mem[m].medianRPS()), rps(bare[m].medianRPS()), fmt.Sprintf("%.2f", ratio), fmt.Sprintf("≥ %.2f", goal), met(ratio >= goal)})
			add(row{m + " latency p50 / p99, in memory", lat(mem[m]), lat(bare[m]), "", "", ""})
		}
		for _, m := range []string{"GET", "PUT"} {
			ratio := mem[m].medianRPS() / prism[m].medianRPS()
			target, ok := "", ""
			if m == "GET" {
				target, ok = "≥ 6×", met(ratio >= 6)
			}
			add(row{m + " throughput vs `prism mock` (p50 / p99 of Prism: " + lat(prism[m]) + ")", rps(mem[m].medianRPS()), rps(prism[m].medianRPS()), fmt.Sprintf("%.1f×", ratio), target, ok})
		}
		for _, m := range []string{"GET", "PUT"} {
			ratio := disk[m].medianRPS() / bare[m].medianRPS()
			note := ""
			if m == "PUT" {
				note = " (32 connections sharing commits)"
			}
			add(row{m + " with `--data-dir` (bbolt)" + note + ", p50 / p99 " + lat(disk[m]), rps(disk[m].medianRPS()), rps(bare[m].medianRPS()), fmt.Sprintf("%.3f", ratio), "report", ""})
		}
		add(row{"RSS idle (Prism idle beside it)", mib(r.RSSIdleKiB), mib(r.PrismRSSIdleKiB), "", "≤ 30 MiB", met(r.RSSIdleKiB <= 30<<10)})
		add(row{fmt.Sprintf("RSS after %d requests, GET and PUT (peak %s; Prism after its %d)", r.RSSRequests, mib(r.RSSPeakKiB), r.PrismRequests), mib(r.RSSLoadedKiB), mib(r.PrismRSSLoadedKiB), "", "≤ 60 MiB", met(r.RSSLoadedKiB <= 60<<10)})
	}
	if len(r.StartRecmock) > 0 {
		rec, mp := medianDur(r.StartRecmock), medianDur(r.StartMailpit)
		add(row{fmt.Sprintf("cold start to first 200 of /_admin/health (median of %d) vs Prism (median of %d)", len(r.StartRecmock), len(r.StartPrism)), fmtDur(rec), fmtDur(medianDur(r.StartPrism)), fmt.Sprintf("%.0f× faster", float64(medianDur(r.StartPrism))/float64(rec)), "≤ 100 ms", met(rec <= 100*time.Millisecond)})
		add(row{fmt.Sprintf("cold start vs Mailpit to /readyz (median of %d)", len(r.StartMailpit)), fmtDur(rec), fmtDur(mp), fmt.Sprintf("%.1f× faster", float64(mp)/float64(rec)), "", ""})
	}
	if s := r.SMTP; s != nil {
		rec := median(s["recmock"], func(x smtpResult) float64 { return x.PerSecond })
		mp := median(s["mailpit"], func(x smtpResult) float64 { return x.PerSecond })
		add(row{"SMTP ingest, 8 connections, 3.4 KiB multipart message", fmt.Sprintf("%.0f msg/s", rec), fmt.Sprintf("%.0f msg/s", mp), fmt.Sprintf("%.1f×", rec/mp), "≥ 5×", met(rec/mp >= 5)})
		add(row{"RSS idle → after the SMTP rounds (whole serve vs Mailpit)", mib(r.SMTPRSSIdleKiB["recmock"]) + " → " + mib(r.SMTPRSSKiB["recmock"]), mib(r.SMTPRSSIdleKiB["mailpit"]) + " → " + mib(r.SMTPRSSKiB["mailpit"]), "", "", ""})
	}
	if len(r.Simulate) == 2 {
		small, big := r.Simulate[0], r.Simulate[1]
		add(row{fmt.Sprintf("`simulate --concurrency 64`, %d events to a local receiver", big.Count), fmt.Sprintf("%.0f events/s", big.EventsPerSec), "", "", "≥ 5,000/s", met(big.EventsPerSec >= 5000)})
		flat := float64(big.PeakKiB) <= 1.25*float64(small.PeakKiB)
		add(row{fmt.Sprintf("`simulate` peak RSS: %d events vs %d events (RSS at each quarter of the big run: %s)", small.Count, big.Count, quarters(big.Quartiles)), mib(big.PeakKiB), mib(small.PeakKiB), fmt.Sprintf("%.2f", float64(big.PeakKiB)/float64(small.PeakKiB)), "flat (≤ 1.25)", met(flat)})
	}
	if len(r.Contract) > 0 {
		d := medianDur(r.Contract)
		add(row{fmt.Sprintf("`contract --allow-writes` vs local serve, wall (median of %d; %s)", len(r.Contract), r.ContractSummary), fmtDur(d), "", "", "≤ 2 s", met(d <= 2*time.Second)})
	}
	if p := r.Proxy; p != nil {
		direct, rp, pp := p["serve (direct)"], p["recmock proxy"], p["prism proxy"]
		for _, m := range []string{"GET", "PUT"} {
			ratio := rp[m].medianRPS() / pp[m].medianRPS()
			add(row{fmt.Sprintf("`recmock proxy` %s vs `prism proxy`, same upstream (p50 / p99 %s vs %s)", m, lat(rp[m]), lat(pp[m])), rps(rp[m].medianRPS()), rps(pp[m].medianRPS()), fmt.Sprintf("%.1f×", ratio), "≥ 6×", met(ratio >= 6)})
		}
		for _, m := range []string{"GET", "PUT"} {
			add(row{fmt.Sprintf("`recmock proxy` %s vs serve directly (the proxy's cost)", m), rps(rp[m].medianRPS()), rps(direct[m].medianRPS()), fmt.Sprintf("%.2f", rp[m].medianRPS()/direct[m].medianRPS()), "", ""})
		}
	}
	r.durableRows(add)
	if len(r.NewNext) > 0 {
		add(row{fmt.Sprintf("`recmocktest.New(t)` start and close, `BenchmarkNew` (median of %d runs; the first in a process, median of %d, also parses openapi.yaml: %s)", len(r.NewNext), len(r.NewFirst), fmtDur(medianDur(r.NewFirst))), fmtDur(medianDur(r.NewNext)), "", "", "", ""})
	}

	var b strings.Builder
	fmt.Fprintf(&b, "Run %s on %s; %d rounds of %v per HTTP figure, medians; took %.0fs.\n\n", r.Started.Format("2006-01-02 15:04 UTC"), r.Machine, cfg.rounds, cfg.dur, r.Seconds)
	if r.Peers != "" {
		fmt.Fprintf(&b, "Tools: %s.\n\n", r.Peers)
	}
	b.WriteString("| metric | recmock | peer / ceiling | ratio | target | met? |\n|---|---|---|---|---|---|\n")
	for _, x := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", x.metric, x.ours, x.peer, x.ratio, x.target, x.met)
	}
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "\nFAILED: %s\n", f)
	}
	return b.String()
}

func quarters(q [4]int64) string {
	s := make([]string, 4)
	for i, k := range q {
		s[i] = fmt.Sprintf("%.1f", float64(k)/1024)
	}
	return strings.Join(s, ", ") + " MiB"
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d < time.Millisecond:
		return fmt.Sprintf("%.2f ms", ms(d))
	}
	return fmt.Sprintf("%.1f ms", ms(d))
}
