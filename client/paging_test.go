package client_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
)

// pages serves "", "p1", "p2" with two items each and counts fetches.
type pages struct {
	fetched []string
	failAt  string
	loop    bool
}

func (p *pages) fetch(_ context.Context, token string) (*client.Page[int], error) {
	p.fetched = append(p.fetched, token)
	if token == p.failAt && p.failAt != "" {
		return nil, errors.New("page failed")
	}
	next := map[string]string{"": "p1", "p1": "p2", "p2": ""}[token]
	if p.loop {
		next = "p1"
	}
	base := map[string]int{"": 0, "p1": 2, "p2": 4}[token]
	return &client.Page[int]{Items: []int{base, base + 1}, NextPageToken: next, Total: 6}, nil
}

func TestAllFollowsTokens(t *testing.T) {
	t.Parallel()
	p := &pages{}
	var got []int
	for v, err := range client.All(context.Background(), "", p.fetch) {
		require.NoError(t, err)
		got = append(got, v)
	}
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5}, got)
	assert.Equal(t, []string{"", "p1", "p2"}, p.fetched)
}

func TestAllStopsFetchingOnBreak(t *testing.T) {
	t.Parallel()
	p := &pages{}
	for v, err := range client.All(context.Background(), "", p.fetch) {
		require.NoError(t, err)
		if v == 1 {
			break
		}
	}
	assert.Equal(t, []string{""}, p.fetched, "no page is fetched after break")
}

func TestAllYieldsErrorOnce(t *testing.T) {
	t.Parallel()
	p := &pages{failAt: "p1"}
	var got []int
	var errs []error
	for v, err := range client.All(context.Background(), "", p.fetch) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, v)
	}
	assert.Equal(t, []int{0, 1}, got)
	require.Len(t, errs, 1)
	assert.EqualError(t, errs[0], "page failed")
	assert.Equal(t, []string{"", "p1"}, p.fetched)
}

func TestAllStopsOnRepeatedToken(t *testing.T) {
	t.Parallel()
	p := &pages{loop: true}
	var errs []error
	n := 0
	for _, err := range client.All(context.Background(), "", p.fetch) {
		if err != nil {
			errs = append(errs, err)
		}
		n++
		require.Less(t, n, 100, "All must not loop forever")
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], client.ErrPagingLoop)
	assert.Contains(t, errs[0].Error(), "named a page token it had named before")
}

// endless is a server that never stops paging: its tokens run in a cycle
// of the given length (0: never repeat), and its pages hold the given
// number of items.
func endless(cycle, items int) (fetch func(context.Context, string) (*client.Page[int], error), fetched *int) {
	n := 0
	return func(_ context.Context, token string) (*client.Page[int], error) {
		n++
		next := fmt.Sprintf("t%d", n)
		if cycle > 0 {
			next = fmt.Sprintf("t%d", n%cycle)
		}
		return &client.Page[int]{Items: make([]int, items), NextPageToken: next}, nil
	}, &n
}

// However the server loops, All ends with ErrPagingLoop, having fetched a
// bounded number of pages.
func TestAllBoundsEveryPagingLoop(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		cycle, items int
		maxFetched   int
		why          string
	}{
		{"empty pages with fresh tokens", 0, 0, client.MaxEmptyPages + 1, "empty pages in a row"},
		{"a cycle of 2", 2, 1, 10, "named before"},
		{"a cycle of 37", 37, 1, 4 * 37, "named before"},
		{"a cycle of 1000, longer than the tokens kept", 1000, 1, 4 * 1000, "named before"},
		{"a cycle of 1000 with empty pages", 1000, 0, client.MaxEmptyPages + 1, "empty pages in a row"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fetch, fetched := endless(tc.cycle, tc.items)
			var last error
			for _, err := range client.All(context.Background(), "", fetch) {
				if err != nil {
					last = err
				}
				require.LessOrEqual(t, *fetched, client.MaxPages, "All must not loop forever")
			}
			require.ErrorIs(t, last, client.ErrPagingLoop)
			assert.Contains(t, last.Error(), tc.why)
			assert.LessOrEqual(t, *fetched, tc.maxFetched)
		})
	}
}

func TestAllBoundsPages(t *testing.T) {
	t.Parallel()
	fetch, fetched := endless(0, 1) // never empty, never repeating
	var last error
	items := 0
	for _, err := range client.All(context.Background(), "", fetch) {
		if err != nil {
			last = err
			continue
		}
		items++
	}
	require.ErrorIs(t, last, client.ErrPagingLoop)
	assert.Equal(t, client.MaxPages, *fetched)
	assert.Equal(t, client.MaxPages, items)
}

func ExampleAll() {
	fetch := func(_ context.Context, token string) (*client.Page[string], error) {
		if token == "" {
			return &client.Page[string]{Items: []string{"a", "b"}, NextPageToken: "next"}, nil
		}
		return &client.Page[string]{Items: []string{"c"}}, nil
	}
	for item, err := range client.All(context.Background(), "", fetch) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(item)
	}
	// Output:
	// a
	// b
	// c
}

// A token named again that does not start a cycle (the server goes back,
// then on elsewhere) is caught within the latest pages.
func TestAllStopsOnARecentToken(t *testing.T) {
	t.Parallel()
	tokens := []string{"a", "b", "c", "a", "d", "e", "f"}
	n := 0
	fetch := func(_ context.Context, _ string) (*client.Page[int], error) {
		next := tokens[n%len(tokens)]
		n++
		return &client.Page[int]{Items: []int{n}, NextPageToken: next}, nil
	}
	var last error
	for _, err := range client.All(context.Background(), "", fetch) {
		if err != nil {
			last = err
		}
	}
	require.ErrorIs(t, last, client.ErrPagingLoop)
	assert.Equal(t, 4, n, "stopped when a came again")
}
