//go:build !unix

package systrash

// topDir finds no top directory trash where there is no freedesktop trash.
func topDir(string) string { return "" }
