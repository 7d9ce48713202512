// Command report turns the output of the list benchmarks into
// docs/benchmarks.md: the median of each benchmark over its runs, the
// ratio between directory sizes for every indexed lookup, and the machine,
// command and date of the run.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxRatio is the largest cost ratio between the largest and the smallest
// size that an indexed lookup or a membership change may show.
const maxRatio = 1.3

// sizeSuffix matches the last part of a benchmark name that gives the size
// it ran at, such as "/users=1000" or "/members=100000".
var sizeSuffix = regexp.MustCompile(`^(.*)/(users|groups|members)=(\d+)$`)

var line = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(.*)$`)

func main() {
	command := flag.String("command", "make bench", "command line to record in the report")
	flag.Parse()
	if err := run(os.Stdin, os.Stdout, *command); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// result holds the runs of one benchmark.
type result struct {
	nanos  []float64
	extras map[string][]float64
}

func run(in io.Reader, out io.Writer, command string) error {
	results, order, err := parse(in)
	if err != nil {
		return err
	}
	if len(results) == 0 {
		return fmt.Errorf("no benchmark lines in the input")
	}

	fmt.Fprintf(out, "# Benchmarks\n\n")
	fmt.Fprintf(out, "Written by `%s` on %s.\n\n", command, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(out, "Machine: %s, %d cores, %s memory, %s, %s with redis-server %s on loopback.\n\n",
		cpuModel(), runtime.NumCPU(), memory(), runtime.GOOS+"/"+runtime.GOARCH, runtime.Version(), redisVersion())
	fmt.Fprintf(out, "Each figure is the median over all runs of a benchmark. Every operation goes through the resource service, which is what the functions call, against a real Redis filled with that many users, groups or group members. A membership change is one PATCH that adds one member; the member is removed again outside the timer.\n\n")

	fmt.Fprintf(out, "| benchmark | runs | median | other metrics (median) |\n|---|---|---|---|\n")
	for _, name := range order {
		r := results[name]
		var extras []string
		for unit, values := range r.extras {
			extras = append(extras, fmt.Sprintf("%.1f %s", median(values), unit))
		}
		sort.Strings(extras)
		fmt.Fprintf(out, "| %s | %d | %s | %s |\n", name, len(r.nanos), duration(median(r.nanos)), strings.Join(extras, ", "))
	}

	failed := writeRatios(out, results, order)
	if failed {
		return fmt.Errorf("an operation grew by more than %.1f times between the smallest and the largest size", maxRatio)
	}
	return nil
}

// writeRatios compares, for every benchmark with a size suffix, the median
// at the largest size with the median at the smallest. It reports whether
// any ratio exceeds maxRatio.
func writeRatios(out io.Writer, results map[string]*result, order []string) bool {
	type sized struct {
		size   int
		unit   string
		median float64
	}
	groups := map[string][]sized{}
	var groupOrder []string
	for _, name := range order {
		m := sizeSuffix.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		base, unit := m[1], m[2]
		size, err := strconv.Atoi(m[3])
		if err != nil {
			continue
		}
		if _, seen := groups[base]; !seen {
			groupOrder = append(groupOrder, base)
		}
		groups[base] = append(groups[base], sized{size, unit, median(results[name].nanos)})
	}
	if len(groups) == 0 {
		return false
	}

	failed := false
	fmt.Fprintf(out, "\n## Costs as the directory and groups grow\n\nThe goal is a ratio of at most %.1f between the medians at the largest and the smallest size.\n\n", maxRatio)
	fmt.Fprintf(out, "| operation | smallest | largest | ratio | goal met |\n|---|---|---|---|---|\n")
	for _, base := range groupOrder {
		points := groups[base]
		sort.Slice(points, func(i, j int) bool { return points[i].size < points[j].size })
		low, high := points[0], points[len(points)-1]
		ratio := high.median / low.median
		met := ratio <= maxRatio
		failed = failed || !met
		fmt.Fprintf(out, "| %s | %s at %d %s | %s at %d %s | %.2f | %s |\n",
			base, duration(low.median), low.size, low.unit, duration(high.median), high.size, high.unit, ratio, yesNo(met))
	}
	return failed
}

func parse(in io.Reader) (map[string]*result, []string, error) {
	results := map[string]*result{}
	var order []string
	scanner := bufio.NewScanner(in)
	for scanner.Scan() {
		m := line.FindStringSubmatch(strings.TrimSpace(scanner.Text()))
		if m == nil {
			continue
		}
		name := m[1]
		nanos, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return nil, nil, fmt.Errorf("parse %q: %w", scanner.Text(), err)
		}
		r, ok := results[name]
		if !ok {
			r = &result{extras: map[string][]float64{}}
			results[name] = r
			order = append(order, name)
		}
		r.nanos = append(r.nanos, nanos)

		// Extra metrics come as "value unit" pairs after ns/op.
		fields := strings.Fields(m[3])
		for i := 0; i+1 < len(fields); i += 2 {
			value, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			r.extras[fields[i+1]] = append(r.extras[fields[i+1]], value)
		}
	}
	return results, order, scanner.Err()
}

func median(values []float64) float64 {
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func duration(nanos float64) string {
	return time.Duration(nanos).Round(time.Microsecond / 10).String()
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

func cpuModel() string {
	content, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(content), "\n") {
		if name, ok := strings.CutPrefix(l, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
		}
	}
	return "unknown CPU"
}

func memory() string {
	content, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	fields := strings.Fields(strings.SplitN(string(content), "\n", 2)[0])
	if len(fields) < 2 {
		return "unknown"
	}
	kib, err := strconv.ParseFloat(fields[1], 64)
	if err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%.0f GiB", kib/(1<<20))
}

func redisVersion() string {
	output, err := exec.Command("redis-server", "--version").Output()
	if err != nil {
		return "unknown"
	}
	for _, field := range strings.Fields(string(output)) {
		if version, ok := strings.CutPrefix(field, "v="); ok {
			return version
		}
	}
	return "unknown"
}
