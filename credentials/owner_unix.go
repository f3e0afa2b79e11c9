//go:build unix

package credentials

import (
	"io/fs"
	"syscall"
)

// ownerOf returns the user id that owns the file info describes.
func ownerOf(info fs.FileInfo) (int, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
