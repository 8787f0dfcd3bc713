package desktop

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"
)

// Instance is the single-instance lock of a data dir, held while the window
// is open.
//
// Wails' own SingleInstanceLock goes through the D-Bus session bus and lets a
// second instance through when there is none (Xvfb, a bare X session), so
// the lock is also a Linux abstract unix socket named after the data dir:
// binding the name is atomic, the kernel releases it when the process dies
// (no stale lock file after kill -9), and the socket carries the "show"
// message that brings the first window to the front.
type Instance struct {
	ln   net.Listener
	wg   sync.WaitGroup
	show func()
}

// AcquireInstance takes the lock for dataDir. When another process holds
// it, that process is asked to show its window and ErrAlreadyRunning is
// returned. show is called (on its own goroutine) each time a later launch
// asks for the window.
func AcquireInstance(dataDir string, show func()) (*Instance, error) {
	name := "@" + InstanceID(dataDir)
	ln, err := net.Listen("unix", name)
	if errors.Is(err, syscall.EADDRINUSE) {
		if err := askToShow(name); err != nil {
			return nil, fmt.Errorf("%w (it did not answer: %v)", ErrAlreadyRunning, err)
		}
		return nil, ErrAlreadyRunning
	} else if err != nil {
		return nil, fmt.Errorf("single-instance lock: %w", err)
	}
	inst := &Instance{ln: ln, show: show}
	inst.wg.Add(1)
	go inst.serve()
	return inst, nil
}

// Close releases the lock.
func (i *Instance) Close() error {
	err := i.ln.Close()
	i.wg.Wait()
	return err
}

func (i *Instance) serve() {
	defer i.wg.Done()
	for {
		conn, err := i.ln.Accept()
		if err != nil {
			return
		}
		_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err == nil && line == "show\n" {
			if i.show != nil {
				go i.show()
			}
			_, _ = conn.Write([]byte("ok\n"))
		}
		conn.Close()
	}
}

// askToShow asks the holder of the lock to show its window.
func askToShow(name string) error {
	conn, err := net.DialTimeout("unix", name, 2*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte("show\n")); err != nil {
		return err
	}
	reply, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if reply != "ok\n" {
		return fmt.Errorf("unexpected reply %q", reply)
	}
	return nil
}
