package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
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

func (*ListEnvelope[T]) isListEnvelope() {}

type listEnvelope interface{ isListEnvelope() }

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

// ListPage fetches one page of a list endpoint with GET: query as for Do.
func ListPage[T any](ctx context.Context, c *Client, path string, query any) (*Page[T], error) {
	var env ListEnvelope[T]
	if _, err := c.Do(ctx, http.MethodGet, path, query, nil, &env); err != nil {
		return nil, err
	}
	return env.Page(), nil
}

// All iterates over every item of a list, fetching pages with fetch from
// the page token first (usually ""). It stops fetching when the loop
// breaks, and yields an error once, then stops.
func All[T any](ctx context.Context, first string, fetch func(ctx context.Context, pageToken string) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		token := first
		seen := map[string]bool{}
		for {
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
			if seen[next] {
				yield(zero, fmt.Errorf("anyscale: the server returned paging token %q twice; stopping to avoid a loop", next))
				return
			}
			seen[next] = true
			token = next
		}
	}
}
