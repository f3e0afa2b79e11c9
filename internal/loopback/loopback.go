// Package loopback decides whether a URL's host is this machine, whatever
// its spelling. The client allows plain http only to such a host, sends
// its requests there without a proxy, and dials it on a loopback address:
// one rule, so that "the token never leaves the machine" holds for
// LOCALHOST, localhost., 127.1, 0x7f.0.0.1, [::1] and [::ffff:127.0.0.1]
// alike.
package loopback

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/anyscale-go/anyscale/internal/ascii"
)

// Localhost is the one host name the SDK takes for this machine.
const Localhost = "localhost"

// Canonical returns host (as url.URL.Hostname gives it, without
// brackets) in the one form the SDK uses for it, as browsers normalise a
// URL's host: ASCII letters lower-cased; "localhost." without its
// trailing dot; an IPv4 address in any of its numeric forms (127.1,
// 0x7f.0.0.1, 0177.0.0.1, 2130706433, a trailing dot) in dotted decimal;
// an IPv6 address in its canonical form, an IPv4-mapped one as IPv4. Any
// other host comes back lower-cased, as it is otherwise.
func Canonical(host string) string {
	h := ascii.Lower(host)
	if h == Localhost+"." {
		return Localhost
	}
	if a, ok := parseIP(h); ok {
		return a.String()
	}
	return h
}

// Is reports whether host names this machine: localhost, or a loopback
// address, in any spelling Canonical knows. A name that merely resolves
// to a loopback address (anything.localhost, a hosts-file entry) is not:
// nothing guarantees where a resolver sends it.
func Is(host string) bool {
	h := Canonical(host)
	if h == Localhost {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}

// IsName reports whether host is the name localhost (in any case, with or
// without its trailing dot), which a dialer must send to a loopback
// address itself: a resolver may not (a hosts file without the entry, a
// DNS search domain).
func IsName(host string) bool { return Canonical(host) == Localhost }

// parseIP parses an IPv6 address, or an IPv4 address in any of the forms
// inet_aton(3) and the WHATWG URL standard accept.
func parseIP(h string) (netip.Addr, bool) {
	if strings.Contains(h, ":") {
		a, err := netip.ParseAddr(h)
		if err != nil {
			return netip.Addr{}, false
		}
		return a.Unmap(), true
	}
	return parseIPv4(h)
}

// parseIPv4 parses one to four dot-separated numbers, each decimal, octal
// (a leading 0) or hexadecimal (a leading 0x); the last fills the bytes
// the others leave. One trailing dot is allowed.
func parseIPv4(h string) (netip.Addr, bool) {
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return netip.Addr{}, false
	}
	parts := strings.Split(h, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, p := range parts {
		n, ok := parseNumber(p)
		if !ok {
			return netip.Addr{}, false
		}
		if i < len(parts)-1 {
			if n > 0xff {
				return netip.Addr{}, false
			}
			v |= n << (8 * (3 - i))
			continue
		}
		if n >= 1<<(8*(4-i)) {
			return netip.Addr{}, false
		}
		v |= n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

func parseNumber(p string) (uint64, bool) {
	base := 10
	switch {
	case len(p) >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'):
		base, p = 16, p[2:]
		if p == "" {
			return 0, true
		}
	case len(p) >= 2 && p[0] == '0':
		base, p = 8, p[1:]
	}
	if p == "" || p[0] == '+' || p[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 64)
	return n, err == nil
}
