package main

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/recmock/recmock/internal/pgtest"
)

// Durable-write runs, by name in results.Durable: the store, then the connections.
const (
	durBolt1  = "bbolt, 1 connection"
	durBolt32 = "bbolt, 32 connections"
	durPG1    = "PostgreSQL, 1 replica, 1 connection"
	durPG32   = "PostgreSQL, 1 replica, 32 connections"
	durPG2x16 = "PostgreSQL, 2 replicas, 16 connections each"
)

// benchDurable measures PUTs answered only once they are on disk (BENCHMARKS.md, "Durable
// writes"): serve --data-dir (bbolt, group commit), and serve --store on a throw-away
// PostgreSQL cluster with fsync on, one replica, then two sharing it, both under cfg.workDir.
func benchDurable(cfg *config, res *results) error {
	res.Durable = map[string]series{}
	run := func(name string, conns int, urls ...string) error {
		for range cfg.rounds {
			var sum wrkResult
			var mu sync.Mutex
			var wg sync.WaitGroup
			errs := make([]error, len(urls))
			for i, u := range urls {
				wg.Go(func() {
					r, err := runWrkConns(cfg, "PUT", u+apiPath, cfg.dur, conns)
					mu.Lock()
					defer mu.Unlock()
					errs[i] = err
					// Requests per second add up; the seconds are the same run's.
					sum.Requests += r.Requests
					sum.Seconds = max(sum.Seconds, r.Seconds)
					sum.P50us, sum.P99us = max(sum.P50us, r.P50us), max(sum.P99us, r.P99us)
				})
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			res.Durable[name] = append(res.Durable[name], sum)
			logf("   %-45s %8.0f PUT/s  p50 %6.2fms  p99 %6.2fms", name, sum.RPS(), float64(sum.P50us)/1000, float64(sum.P99us)/1000)
		}
		return nil
	}

	dir, err := os.MkdirTemp(cfg.workDir, "durable-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil { // the cluster's user, not root, goes in too
		return err
	}
	bolt, err := startServe(cfg, "recmock bbolt", "--data-dir", dir)
	if err != nil {
		return err
	}
	if err := do("POST", bolt.url+apiPath, putBody, 200); err != nil {
		return err
	}
	if _, err := runWrkConns(cfg, "PUT", bolt.url+apiPath, time.Second, 32); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	if err := run(durBolt1, 1, bolt.url); err != nil {
		return err
	}
	if err := run(durBolt32, 32, bolt.url); err != nil {
		return err
	}
	bolt.p.stop()

	pg, err := pgtest.Start(pgtest.Options{Fsync: true, Dir: dir})
	if err != nil {
		return err
	}
	defer pg.Stop()
	var replicas []*target
	for i := range 2 {
		r, err := startServe(cfg, fmt.Sprint("recmock store ", i+1), "--store", pg.URL())
		if err != nil {
			return err
		}
		replicas = append(replicas, r)
	}
	if err := do("POST", replicas[0].url+apiPath, putBody, 200); err != nil {
		return err
	}
	if _, err := runWrkConns(cfg, "PUT", replicas[0].url+apiPath, time.Second, 32); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	if err := run(durPG1, 1, replicas[0].url); err != nil {
		return err
	}
	if err := run(durPG32, 32, replicas[0].url); err != nil {
		return err
	}
	return run(durPG2x16, 16, replicas[0].url, replicas[1].url)
}

// durableRows are the section's rows of the table.
func (r *results) durableRows(add func(row)) {
	d := r.Durable
	if d == nil {
		return
	}
	one, many := d[durBolt1].medianRPS(), d[durBolt32].medianRPS()
	add(row{"durable PUT, `--data-dir` (bbolt), 1 connection, p50 / p99 " + lat(d[durBolt1]), rps(one), "", "", "report", ""})
	add(row{"durable PUT, `--data-dir` (bbolt), 32 connections sharing commits, p50 / p99 " + lat(d[durBolt32]), rps(many), rps(one), fmt.Sprintf("%.1f×", many/one), "≥ 10,000 req/s", met(many >= 10000)})
	for _, name := range []string{durPG1, durPG32, durPG2x16} {
		add(row{"durable PUT, `--store` " + name + ", p50 / p99 " + lat(d[name]), rps(d[name].medianRPS()), "", "", "report", ""})
	}
}
