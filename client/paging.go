package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"

	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

// Page is one page of a list.
type Page[T any] struct {
	Items []T
	// NextPageToken fetches the next page; empty on the last page.
	NextPageToken string
	// Total is the number of items across all pages, as the server counts.
	Total int
}

// ListEnvelope is the wire form of a list answer. Pass a *ListEnvelope[T]
// as Do's out to decode the whole answer rather than its "result".
type ListEnvelope[T any] struct {
	Results  []T          `json:"results"`
	Metadata ListMetadata `json:"metadata"`
}

// ListMetadata is the "metadata" of a list answer.
type ListMetadata struct {
	Total           int     `json:"total"`
	NextPagingToken *string `json:"next_paging_token"`
}

// decode fills the envelope from a list answer, which must hold "results"
// (a list, not null) and "metadata": an answer without them is malformed,
// never an empty list.
func (e *ListEnvelope[T]) decode(data []byte) error {
	var w struct {
		Results  *[]T          `json:"results"`
		Metadata *ListMetadata `json:"metadata"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	switch {
	case w.Results == nil:
		return &malformed{`the list answer has no "results"`}
	case w.Metadata == nil:
		return &malformed{`the list answer has no "metadata"`}
	}
	e.Results, e.Metadata = *w.Results, *w.Metadata
	return nil
}

type listEnvelope interface{ decode(data []byte) error }

// Page converts the envelope into a Page.
func (e *ListEnvelope[T]) Page() *Page[T] {
	p := &Page[T]{Items: e.Results, Total: e.Metadata.Total}
	if e.Metadata.NextPagingToken != nil {
		p.NextPageToken = *e.Metadata.NextPagingToken
	}
	if p.Items == nil {
		p.Items = []T{}
	}
	return p
}

// PageQuery is the paging part of a list query, for embedding in a
// service's query struct.
type PageQuery struct {
	PagingToken string `url:"paging_token,omitempty"`
	Count       int    `url:"count,omitempty"`
}

// ListPage fetches one page of the list at path.
//
// API: GET path (a list endpoint: "results" and "metadata")
//
// query is as for Do, with the paging fields of PageQuery; errors are Do's.
func ListPage[T any](ctx context.Context, c *Client, path string, query any) (*Page[T], error) {
	if err := ctxguard.Check(ctx, "client.ListPage"); err != nil {
		return nil, err
	}
	var env ListEnvelope[T]
	if _, err := c.call(ctx, http.MethodGet, path, query, nil, &env, false); err != nil {
		return nil, err
	}
	return env.Page(), nil
}

// Paging bounds: a server that keeps answering pages with fresh tokens
// must not make a loop run forever.
const (
	// MaxPages is the most pages All fetches for one list (5 million
	// items at 50 a page).
	MaxPages = 100_000
	// MaxEmptyPages is the most pages in a row All accepts that hold no
	// item yet name a next page.
	MaxEmptyPages = 10
)

// recentTokens is how many of the latest paging tokens All remembers.
const recentTokens = 64

// ErrPagingLoop is matched by the error All yields when the server's
// paging does not end: a token seen in the last 64 pages, a cycle of
// tokens of any length, more than MaxEmptyPages empty pages in a
// row, or more than MaxPages pages.
var ErrPagingLoop = errors.New("the list's paging does not end")

// All iterates over every item of a list, fetching pages with fetch from
// the page token first (usually ""). It stops fetching when the loop
// breaks, and yields an error once, then stops. It ends with an error
// matching ErrPagingLoop when the server's paging does not end (see
// ErrPagingLoop, MaxPages and MaxEmptyPages), with a constant amount of
// memory.
func All[T any](ctx context.Context, first string, fetch func(ctx context.Context, pageToken string) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if err := ctxguard.Check(ctx, "client.All"); err != nil {
			yield(zero, err)
			return
		}
		token := first
		// Brent's cycle detection: saved is a token seen earlier; it
		// moves forward at doubling distances, so a cycle of any length
		// meets it within twice its length.
		saved, power, steps := first, 1, 0
		// recent holds the latest tokens, for a repeat that is not a
		// cycle (a server may go back, then on elsewhere).
		var recent [recentTokens]string
		empty := 0
		for pages := 1; ; pages++ {
			page, err := fetch(ctx, token)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, item := range page.Items {
				if !yield(item, nil) {
					return
				}
			}
			next := page.NextPageToken
			if next == "" {
				return
			}
			if len(page.Items) == 0 {
				empty++
			} else {
				empty = 0
			}
			var loop string
			switch {
			case next == saved || slices.Contains(recent[:], next):
				loop = "named a page token it had named before"
			case empty > MaxEmptyPages:
				loop = fmt.Sprintf("answered %d empty pages in a row, each naming a next page", empty)
			case pages >= MaxPages:
				loop = fmt.Sprintf("named a next page after %d pages, the most the client follows", pages)
			}
			if loop != "" {
				yield(zero, fmt.Errorf("%w: the server %s; stopping, so the list may be incomplete", ErrPagingLoop, loop))
				return
			}
			if steps++; steps == power {
				saved, power, steps = next, power*2, 0
			}
			recent[pages%recentTokens] = next
			token = next
		}
	}
}
