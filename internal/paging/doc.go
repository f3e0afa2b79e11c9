// Package paging holds the page-size rule every list of the SDK shares:
// organization, keys and serviceaccounts turn a caller's PageSize into the
// wire's count with Count.
package paging
