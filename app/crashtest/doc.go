// Package crashtest holds Reelvault's whole-binary reliability tests: the
// real reelvault binary runs as separate processes over real files in a
// temporary data directory and is driven over loopback HTTP and its command
// line, then killed with SIGKILL at random moments, starved of disk space,
// fed hostile input and left running under load. The tests check that every
// acknowledged write survives, that nothing half-written is ever visible and
// that bad input leaves the data untouched.
//
// The package has no exported API; everything is in its _test.go files.
// RELIABILITY.md at the repository root lists each test and what it proves.
package crashtest
