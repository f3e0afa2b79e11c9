package paging

import (
	"fmt"

	"github.com/anyscale-go/anyscale/client"
)

// Count turns a caller's page size into the wire's count: 0 means
// client.MaxPageSize; below 0 or above it is client.ErrInvalid, before any
// request is sent.
func Count(pageSize int) (int, error) {
	switch {
	case pageSize == 0:
		return client.MaxPageSize, nil
	case pageSize < 0 || pageSize > client.MaxPageSize:
		return 0, fmt.Errorf("%w: a page size of %d is out of range: use 1..%d, or 0 for %d", client.ErrInvalid, pageSize, client.MaxPageSize, client.MaxPageSize)
	}
	return pageSize, nil
}
