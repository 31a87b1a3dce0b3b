//go:build !unix

package contracttest

// lockFile does not lock where flock(2) is missing: test binaries running
// side by side may then each build the contract-validator (correct, only
// slower the first time).
func lockFile(string) (func(), error) { return func() {}, nil }
