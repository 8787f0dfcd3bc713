package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "link",
		Args:    "",
		Summary: "Print a fresh one-time link that signs a browser in to the web UI.",
		Run:     runLink,
	})
	Register(&Command{
		Name:    "signout",
		Args:    "",
		Summary: "Sign out everywhere: end every browser's owner session and every unused sign-in link.",
		Run:     runSignOut,
	})
}

// linkOutput is what "link --json" prints.
type linkOutput struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
	// Serving is false when no "reelvault serve" runs on the data folder:
	// the link works once one runs, at the address it was made for.
	Serving bool `json:"serving"`
}

// runLink stores a new sign-in link (hashed, one use, domain.SignInLinkTTL)
// and prints it with the address of the running serve, or the default
// address when none runs.
func runLink(ctx context.Context, env *Env, args []string) error {
	if _, err := env.Parse(env.FlagSet(), args); err != nil {
		return err
	}
	dir, err := env.DataDir()
	if err != nil {
		return err
	}
	base, serving := servingURL(dir)
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	if svc.Sessions == nil {
		return domain.Errorf(domain.EINVALID, "This database keeps no sign-in links.")
	}
	secret, err := svc.Sessions.CreateSession(ctx, domain.SessionKindLink)
	if err != nil {
		return err
	}
	out := linkOutput{URL: base + "/?token=" + secret, ExpiresAt: time.Now().Add(domain.SignInLinkTTL).UTC().Truncate(time.Second), Serving: serving}
	if env.Config.JSON {
		return env.PrintJSON(out)
	}
	env.Printf("Open this link in your browser to sign in (it works once, until %s):\n\n    %s\n\n", fmtTime(out.ExpiresAt), out.URL)
	if !serving {
		env.Printf("Reelvault is not serving right now; start it with \"reelvault serve\" first.\n")
	}
	return nil
}

// servingURL returns the base URL of the process serving the data folder
// (serve, or the window's API), and whether one does; the default address
// otherwise.
func servingURL(dir string) (string, bool) {
	def := "http://" + server.DefaultAddr
	f, err := os.Open(filepath.Join(dir, ServeLockFile))
	if err != nil {
		return def, false
	}
	defer f.Close()
	// Taking the lock means no one holds it; closing f drops it again.
	if err := lockNB(f); !errors.Is(err, errLocked) {
		return def, false
	}
	h, err := ReadServeHolder(dir)
	if err != nil || h.Addr == "" {
		return def, false
	}
	return h.Addr, true
}

// signOutOutput is what "signout --json" prints.
type signOutOutput struct {
	Ended int `json:"ended"`
}

// runSignOut ends every owner session and sign-in link.
func runSignOut(ctx context.Context, env *Env, args []string) error {
	if _, err := env.Parse(env.FlagSet(), args); err != nil {
		return err
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	if svc.Sessions == nil {
		return domain.Errorf(domain.EINVALID, "This database keeps no sessions.")
	}
	n, err := svc.Sessions.EndAllSessions(ctx)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(signOutOutput{Ended: n})
	}
	switch n {
	case 0:
		env.Printf("No browser was signed in; unused sign-in links no longer work.\n")
	case 1:
		env.Printf("Signed out 1 browser; unused sign-in links no longer work.\n")
	default:
		env.Printf("Signed out %d browsers; unused sign-in links no longer work.\n", n)
	}
	return nil
}
