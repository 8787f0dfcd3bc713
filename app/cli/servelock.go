package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// ServeLockFile, in the data dir, is held (flock, exclusive) by the one
// process that serves the data dir — `serve` or the window — for as long as
// it runs. It records who holds it. The kernel drops the lock when the
// process dies, so kill -9 never leaves the data dir locked; a stale record
// in an unlocked file means nothing.
const ServeLockFile = "serve.lock"

// ServeHolder is what the serve lock file records.
type ServeHolder struct {
	PID     int       `json:"pid"`
	Mode    string    `json:"mode"` // "serve" or "window"
	Addr    string    `json:"addr"` // where it listens, once it does
	Started time.Time `json:"started"`
}

// ServeLock is a held serve lock.
type ServeLock struct {
	f      *os.File
	holder ServeHolder
}

// ErrServing is the error of a second serving process on one data dir; the
// message names the holder.
func errServing(dir string, h ServeHolder) error {
	who := "another process"
	if h.PID != 0 {
		who = fmt.Sprintf("process %d (%s", h.PID, h.Mode)
		if h.Addr != "" {
			who += " at " + h.Addr
		}
		who += fmt.Sprintf(", since %s)", fmtTime(h.Started))
	}
	return domain.Errorf(domain.ECONFLICT, "The data folder %s is already served by %s; only one `reelvault serve` or window may run per data folder (other commands work beside it).", dir, who)
}

// LockServe takes the serve lock of the data dir for this process in mode
// ("serve", "window"). A process that already holds it gets it again (the
// window falls back to serve). Another holder is ECONFLICT naming it.
func (env *Env) LockServe(mode string) (*ServeLock, error) {
	if env.serveLock != nil {
		return env.serveLock, nil
	}
	dir, err := env.DataDir()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, ServeLockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open serve lock: %w", err)
	}
	if err := lockNB(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			h, _ := ReadServeHolder(dir)
			return nil, errServing(dir, h)
		}
		return nil, fmt.Errorf("lock data dir: %w", err)
	}
	l := &ServeLock{f: f, holder: ServeHolder{PID: os.Getpid(), Mode: mode, Started: time.Now().UTC().Truncate(time.Second)}}
	if err := l.write(); err != nil {
		f.Close()
		return nil, err
	}
	env.serveLock = l
	return l, nil
}

// SetAddr records the address the holder listens on.
func (l *ServeLock) SetAddr(addr string) error {
	l.holder.Addr = addr
	return l.write()
}

func (l *ServeLock) write() error {
	b, _ := json.Marshal(l.holder)
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("write serve lock: %w", err)
	}
	if _, err := l.f.WriteAt(append(b, '\n'), 0); err != nil {
		return fmt.Errorf("write serve lock: %w", err)
	}
	return nil
}

// Release drops the lock.
func (l *ServeLock) Release() { l.f.Close() }

// ReadServeHolder reads who holds (or last held) the serve lock of dir.
func ReadServeHolder(dir string) (ServeHolder, error) {
	var h ServeHolder
	b, err := os.ReadFile(filepath.Join(dir, ServeLockFile))
	if err != nil {
		return h, fmt.Errorf("read serve lock: %w", err)
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("read serve lock: %w", err)
	}
	return h, nil
}
