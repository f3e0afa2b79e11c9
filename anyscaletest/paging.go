package anyscaletest

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
)

// Paging is keyset paging over a creation sequence number: every item the
// server stores has a seq that only grows. A paging token is an opaque
// encoding of the list it belongs to and the seq of the last item served,
// so a page never repeats or skips an item when items are added between
// requests: new items sort before the cursor (newest-first lists) or after
// every existing one (oldest-first lists).

// pageRequest is the validated count and cursor of a list request.
type pageRequest struct {
	count  int
	after  int64 // 0: from the start
	hasCur bool
	// total is the list's total as the first page counted it, carried in
	// the cursor, so that later pages need not count again.
	total int
}

// parsePage reads count (1..50, default 50) and paging_token for the list
// named kind. An invalid token is a 422 in the {"error": ...} shape.
func parsePage(q url.Values, kind string) (pageRequest, *reply) {
	p := pageRequest{count: maxPageSize}
	n, present, bad := queryInt(q, "count")
	if bad != nil {
		return p, bad
	}
	if present {
		if n < 1 || n > maxPageSize {
			r := invalid(queryLoc("count"), "value_error.number.not_in_range",
				"count must be between 1 and %d", maxPageSize)
			return p, &r
		}
		p.count = int(n)
	}
	if tok := q.Get("paging_token"); tok != "" {
		seq, total, ok := decodeCursor(kind, tok)
		if !ok {
			r := fail(422, "invalid paging_token: pass next_paging_token from the previous page of this list")
			return p, &r
		}
		p.after, p.hasCur, p.total = seq, true, total
	}
	return p, nil
}

// paginate cuts one page out of items, which are already filtered and in
// list order (seq ascending; the key lists walk their own index). It
// returns the page and the next paging token ("" when this is the last
// page).
func paginate[T any](items []T, seq func(T) int64, kind string, p pageRequest) ([]T, string) {
	start := 0
	if p.hasCur {
		start = len(items)
		for i, it := range items {
			if seq(it) > p.after {
				start = i
				break
			}
		}
	}
	end := min(start+p.count, len(items))
	page := items[start:end]
	if end == len(items) || len(page) == 0 {
		return page, ""
	}
	return page, encodeCursor(kind, seq(page[len(page)-1]), len(items))
}

// encodeCursor makes a paging token: the list, the seq of the last item
// served, and the list's total.
func encodeCursor(kind string, seq int64, total int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatInt(seq, 10) + ":" + strconv.Itoa(total)))
}

func decodeCursor(kind, tok string) (seq int64, total int, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, 0, false
	}
	rest, totalText, found := cutLast(string(b), ':')
	if !found {
		return 0, 0, false
	}
	list, seqText, found := cutLast(rest, ':')
	if !found || list != kind {
		return 0, 0, false
	}
	seq, err = strconv.ParseInt(seqText, 10, 64)
	if err != nil || seq <= 0 {
		return 0, 0, false
	}
	total, err = strconv.Atoi(totalText)
	if err != nil || total < 0 {
		return 0, 0, false
	}
	return seq, total, true
}

// cutLast is strings.Cut at the last sep.
func cutLast(s string, sep byte) (before, after string, found bool) {
	i := strings.LastIndexByte(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}
