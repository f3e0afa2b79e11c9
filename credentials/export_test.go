package credentials

// MaxFileSize is Load's bound on a credentials file, for the tests of the
// credentials_test package.
const MaxFileSize = maxFileSize
