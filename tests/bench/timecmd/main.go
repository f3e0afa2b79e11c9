// Command timecmd runs a command 20 times and prints the median, the
// fastest and the slowest wall time: how BENCHMARKS.md times
// `anyscale-keys version`.
//
//	go run ./tests/bench/timecmd /tmp/anyscale-keys version
package main

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"time"
)

const runs = 20

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: timecmd COMMAND [ARGS...]")
		os.Exit(2)
	}
	times := make([]time.Duration, 0, runs)
	for range runs {
		start := time.Now()
		cmd := exec.Command(os.Args[1], os.Args[2:]...)
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "timecmd:", err)
			os.Exit(1)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	fmt.Printf("median %s, fastest %s, slowest %s (%d runs)\n", (times[runs/2-1]+times[runs/2])/2, times[0], times[runs-1], runs)
}
