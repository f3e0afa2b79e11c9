package cmdutil

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseDuration reads a lifetime such as "30d", "12h", "90m" or "1d12h":
// Go's durations, plus "d" for days and "w" for weeks.
func ParseDuration(s string) (time.Duration, error) {
	rest := strings.TrimSpace(s)
	if rest == "" {
		return 0, UsageError(fmt.Errorf("empty duration: give one such as 30d, 12h or 90m"))
	}
	var total time.Duration
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9') {
			i++
		}
		if i == 0 || i == len(rest) {
			break
		}
		unit := time.Duration(0)
		switch rest[i] {
		case 'd':
			unit = 24 * time.Hour
		case 'w':
			unit = 7 * 24 * time.Hour
		}
		if unit == 0 {
			break
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil || n > int64(1<<62)/int64(unit) {
			return 0, UsageError(fmt.Errorf("duration %q is too long", s))
		}
		total += time.Duration(n) * unit
		rest = rest[i+1:]
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil {
			return 0, UsageError(fmt.Errorf("duration %q: use a number and a unit, such as 30d, 12h or 90m", s))
		}
		total += d
	}
	if total <= 0 {
		return 0, UsageError(fmt.Errorf("duration %q is not positive", s))
	}
	return total, nil
}
