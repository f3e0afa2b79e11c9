// Package email holds the one rule by which the SDK compares email
// addresses and sends them as filters: the way the Anyscale API stores
// them. The server keeps emails lower-cased, so only the ASCII letters A-Z
// fold to a-z; every other character must match exactly, and surrounding
// white space is trimmed. Unicode case folding is never used: it would
// make look-alike addresses (a KELVIN SIGN for K, a long s for s) match
// another member, and an owner could remove the wrong one.
package email
