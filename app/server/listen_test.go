package server_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/domain"
)

// ListenAndServe serves on a loopback port until its context is done, then
// returns nil and the port is closed; an address that is not loopback is
// refused naming the addr field, with nothing listening.
func TestServer_ListenAndServe(t *testing.T) {
	e := MustOpenEnv(t)

	t.Run("ErrRemoteAddr", func(t *testing.T) {
		srv := server.New(server.Config{Tasks: e.tasks, Users: e.users, Addr: "0.0.0.0:0", DataDir: t.TempDir()})
		err := srv.ListenAndServe(context.Background())
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != domain.EINVALID || de.Field != "addr" {
			t.Fatalf("err=%v, want invalid naming addr", err)
		}
		if srv.URL() != "" {
			t.Fatalf("a refused address left the server at %s", srv.URL())
		}
	})

	srv := server.New(server.Config{Tasks: e.tasks, Users: e.users, Addr: "127.0.0.1:0", DataDir: t.TempDir()})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for srv.URL() == "" {
		if time.Now().After(deadline) {
			t.Fatal("the server never listened")
		}
		time.Sleep(5 * time.Millisecond)
	}
	url := srv.URL()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: status=%d, want 200", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ListenAndServe after its context ended: %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ListenAndServe did not return after its context ended")
	}
	client.CloseIdleConnections()
	if resp, err := client.Get(url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatalf("%s still answers after the shutdown: %d", url, resp.StatusCode)
	}
}
