package server_test

import (
	"context"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/reelvault/reelvault/app/server"
)

// slowFS serves files whose every Read takes a while, to keep a request in
// flight.
type slowFS struct{ fstest.MapFS }

type slowFile struct{ fs.File }

func (s slowFS) Open(name string) (fs.File, error) {
	f, err := s.MapFS.Open(name)
	if err != nil {
		return nil, err
	}
	return slowFile{f}, nil
}

func (f slowFile) Read(p []byte) (int, error) {
	time.Sleep(20 * time.Millisecond)
	if len(p) > 512 {
		p = p[:512]
	}
	return f.File.Read(p)
}

func (f slowFile) Seek(off int64, whence int) (int64, error) {
	return f.File.(io.Seeker).Seek(off, whence)
}

// Shutdown stops accepting connections but lets a request in flight finish.
func TestServer_ShutdownFinishesInFlight(t *testing.T) {
	e := MustOpenEnv(t)
	body := strings.Repeat("x", 10*512) // ten slow reads: ~200 ms
	srv := server.New(server.Config{
		Tasks: e.tasks, Users: e.users, Addr: "127.0.0.1:0",
		Assets: slowFS{fstest.MapFS{"index.html": {Data: []byte("<html>")}, "big.txt": {Data: []byte(body)}}},
	})
	ln, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(context.Background(), ln) }()

	started, got := make(chan struct{}), make(chan string, 1)
	go func() {
		defer close(started)
		resp, err := http.Get(srv.URL() + "/big.txt")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		started <- struct{}{} // headers are in: the handler is mid-body
		data, _ := io.ReadAll(resp.Body)
		got <- string(data)
	}()
	<-started

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if s := <-got; s != body {
		t.Fatalf("the request in flight got %d bytes (%.40q), want all %d", len(s), s, len(body))
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve returned %v, want nil", err)
	}
	if _, err := http.Get(srv.URL() + "/healthz"); err == nil {
		t.Fatal("a new connection was accepted after shutdown")
	}
}
