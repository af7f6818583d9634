package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// authHeader is the default account's credentials, sent to every target (the bare server
// and Prism ignore them past checking they are there).
const authHeader = "Basic ZGVtby1rZXk6ZGVtby1zZWNyZXQ="

// putBody is bench/wrk/put.lua's body: the vendor article's example.
const putBody = `{"notify":true,"url":"https://site.com/events","email":"a@b.com,b@c.com","s3Arn":"arn:aws:s3:region::folder_name/objectpath","s3AccessKeyId":"akewjdwifuendjf","s3SecretAccessKey":"iewmdfuasfwnwksd"}`

// wrkResult is one wrk run.
type wrkResult struct {
	Requests int64
	Seconds  float64
	Errors   int64 // connect, read, write and timeout errors
	Non2xx   int64 // answers other than 2xx and 3xx
	P50us    int64
	P99us    int64
}

func (r wrkResult) RPS() float64 { return float64(r.Requests) / r.Seconds }

// runWrk loads url with wrk -t2 -c32 for d, GET or PUT (bench/wrk/{get,put}.lua).
func runWrk(cfg *config, method, url string, d time.Duration) (wrkResult, error) {
	return runWrkConns(cfg, method, url, d, 32)
}

// runWrkConns is runWrk with conns connections (and threads, up to two).
func runWrkConns(cfg *config, method, url string, d time.Duration, conns int) (wrkResult, error) {
	script := filepath.Join(cfg.wrkDir, strings.ToLower(method)+".lua")
	args := []string{fmt.Sprint("-t", min(2, conns)), fmt.Sprint("-c", conns), "-d" + fmt.Sprintf("%ds", max(1, int(d.Round(time.Second).Seconds()))), "-s", script,
		"-H", "Authorization: " + authHeader, url}
	out, err := exec.Command(cfg.wrk, args...).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s %s: %v\n%s", method, url, err, out)
	}
	for line := range strings.SplitSeq(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "WRKRESULT "); ok {
			var r wrkResult
			if _, err := fmt.Sscan(rest, &r.Requests, &r.Seconds, &r.Errors, &r.Non2xx, &r.P50us, &r.P99us); err != nil {
				return wrkResult{}, fmt.Errorf("wrk output %q: %v", line, err)
			}
			if r.Non2xx > 0 || r.Errors > 0 {
				return r, fmt.Errorf("wrk %s %s: %d errors, %d answers not 2xx of %d", method, url, r.Errors, r.Non2xx, r.Requests)
			}
			return r, nil
		}
	}
	return wrkResult{}, fmt.Errorf("wrk %s %s: no result line in\n%s", method, url, out)
}

// series collects the runs of one target and method across rounds.
type series []wrkResult

func (s series) medianRPS() float64 {
	return median(s, func(r wrkResult) float64 { return r.RPS() })
}
func (s series) medianP50() float64 {
	return median(s, func(r wrkResult) float64 { return float64(r.P50us) })
}
func (s series) medianP99() float64 {
	return median(s, func(r wrkResult) float64 { return float64(r.P99us) })
}

func median[T any](xs []T, f func(T) float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	v := make([]float64, len(xs))
	for i, x := range xs {
		v[i] = f(x)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func medianDur(ds []time.Duration) time.Duration {
	return time.Duration(median(ds, func(d time.Duration) float64 { return float64(d) }))
}
