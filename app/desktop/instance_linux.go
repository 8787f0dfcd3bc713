package desktop

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
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
// (no stale lock file after kill -9), and the socket carries the
// "show [ROUTE]" message that brings the first window to the front, on the
// screen ROUTE when one is given (`reelvault open TASK_ID`).
type Instance struct {
	ln   net.Listener
	wg   sync.WaitGroup
	show func(route string)
}

// AcquireInstance takes the lock for dataDir. When another process holds
// it, that process is asked to show its window on route ("" for where it
// is) and ErrAlreadyRunning is returned. show is called (on its own
// goroutine) each time a later launch asks for the window.
func AcquireInstance(dataDir, route string, show func(route string)) (*Instance, error) {
	if !ValidRoute(route) {
		return nil, fmt.Errorf("single-instance lock: invalid route %q", route)
	}
	name := "@" + InstanceID(dataDir)
	ln, err := net.Listen("unix", name)
	if errors.Is(err, syscall.EADDRINUSE) {
		if err := askToShow(name, route); err != nil {
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
		line, err := bufio.NewReader(io.LimitReader(conn, 4096)).ReadString('\n')
		verb, route, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		if err == nil && verb == "show" && ValidRoute(route) {
			if i.show != nil {
				go i.show(route)
			}
			_, _ = conn.Write([]byte("ok\n"))
		}
		conn.Close()
	}
}

// askToShow asks the holder of the lock to show its window on route.
func askToShow(name, route string) error {
	conn, err := net.DialTimeout("unix", name, 2*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	msg := "show\n"
	if route != "" {
		msg = "show " + route + "\n"
	}
	if _, err := conn.Write([]byte(msg)); err != nil {
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
