//go:build unix

package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// The opener lock lets a restore tell whether another process has the
// database open. Every process that opens the store takes a shared flock on
// a lock file beside the database (<db>-lock) and keeps it until Close; a
// restore needs it exclusively. flock is per open file, so two stores on one
// file in one process count as two openers, and the kernel drops the lock of
// a process that dies, so kill -9 never leaves it stuck.

// lockWait bounds how long Open waits for a restore in another process (which
// holds the lock exclusively) to finish.
const lockWait = DefaultBusyTimeout

// openLock is a held shared opener lock.
type openLock struct{ f *os.File }

// takeOpenLock takes the opener lock of the database at path shared. A
// read-only data folder cannot hold a new lock file: then an existing one is
// locked read-only, and a missing one is skipped (nothing can write there
// anyway).
func takeOpenLock(path string, readOnly bool) (*openLock, error) {
	name := path + "-lock"
	var f *os.File
	var err error
	if readOnly {
		f, err = os.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			return &openLock{}, nil
		}
	} else {
		f, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	}
	if err != nil {
		return nil, fmt.Errorf("open database lock: %w", err)
	}
	deadline := time.Now().Add(lockWait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
		if err == nil {
			return &openLock{f: f}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock database: %w", err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, domain.Errorf(domain.ECONFLICT, "The database %s is being restored by another process%s; try again when it has finished.", path, holders(f))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// release drops the lock.
func (l *openLock) release() {
	if l != nil && l.f != nil {
		l.f.Close()
	}
}

// claim upgrades the lock to exclusive without waiting, or returns ECONFLICT
// naming the other processes that hold it. Drop it again with unclaim.
func (l *openLock) claim(path string) error {
	if l == nil || l.f == nil {
		return domain.Errorf(domain.ECONFLICT, "The database %s is in a read-only folder.", path)
	}
	fd := int(l.f.Fd())
	err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
	if err == nil {
		return nil
	}
	// On Linux a refused upgrade drops the shared lock: take it back.
	who := holders(l.f)
	_ = syscall.Flock(fd, syscall.LOCK_SH)
	if !errors.Is(err, syscall.EWOULDBLOCK) {
		return fmt.Errorf("lock database: %w", err)
	}
	return domain.Errorf(domain.ECONFLICT, "Another running process has the database %s open%s; stop it (or restore from it) and try again.", path, who)
}

// unclaim returns an exclusive lock to shared.
func (l *openLock) unclaim() {
	if l != nil && l.f != nil {
		_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_SH)
	}
}

// holders names the other processes that hold a flock on f, from
// /proc/locks on Linux: " (pid 123: reelvault serve)". It is "" when they
// cannot be told.
func holders(f *os.File) string {
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	data, err := os.ReadFile("/proc/locks")
	if err != nil {
		return ""
	}
	ino := ":" + strconv.FormatUint(st.Ino, 10)
	self := os.Getpid()
	seen := map[int]bool{}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		// "1: FLOCK  ADVISORY  READ  1234 08:01:5678 0 EOF"
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] != "FLOCK" || !strings.HasSuffix(fields[5], ino) {
			continue
		}
		pid, err := strconv.Atoi(fields[4])
		if err != nil || pid == self || seen[pid] {
			continue
		}
		seen[pid] = true
		names = append(names, "pid "+strconv.Itoa(pid)+commandOf(pid))
	}
	if len(names) == 0 {
		return ""
	}
	return " (" + strings.Join(names, ", ") + ")"
}

// commandOf returns ": <command line>" of process pid, or "".
func commandOf(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || len(b) == 0 {
		return ""
	}
	s := strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return ": " + s
}

// writable reports whether the process may create and write files in dir and
// write the file at path (if it exists). access(2) honours read-only mounts
// even for root, who bypasses permission bits.
func writable(dir, path string) bool {
	if syscall.Access(dir, 2) != nil {
		return false
	}
	if err := syscall.Access(path, 2); err != nil && !errors.Is(err, syscall.ENOENT) {
		return false
	}
	return true
}
