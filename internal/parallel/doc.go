// Package parallel runs independent requests a bounded number at a time:
// the bulk revoke's batches and the organization audit's per-member
// listings share it.
package parallel
