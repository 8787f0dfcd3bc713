package cli

import (
	"context"
	"strconv"

	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "user add",
		Args:    "NAME [--email E] [--quota N]",
		Summary: "Create a user and print its API key (shown once).",
		Run:     runUserAdd,
	})
	Register(&Command{
		Name:    "user list",
		Summary: "List users with their quotas.",
		Run:     runUserList,
	})
	Register(&Command{
		Name:    "user rotate-key",
		Args:    "NAME",
		Summary: "Replace a user's API key; the old key stops working at once.",
		Run:     runUserRotateKey,
	})
	Register(&Command{
		Name:    "user deactivate",
		Args:    "NAME",
		Summary: "Stop a user's key from creating tasks or reading history.",
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runUserSetActive(ctx, env, args, false)
		},
	})
	Register(&Command{
		Name:    "user activate",
		Args:    "NAME",
		Summary: "Let a deactivated user work again.",
		Run: func(ctx context.Context, env *Env, args []string) error {
			return runUserSetActive(ctx, env, args, true)
		},
	})
	Register(&Command{
		Name:    "user set-quota",
		Args:    "NAME N",
		Summary: "Set how many tasks a user may create.",
		Run:     runUserSetQuota,
	})
}

// keyNote follows every printed API key.
const keyNote = "Store this key now: it will not be shown again."

// userKeyOutput is the JSON of "user add" and "user rotate-key".
type userKeyOutput struct {
	User   *domain.User `json:"user"`
	APIKey string       `json:"api_key"`
}

func runUserAdd(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	email := fs.String("email", "", "the user's e-mail address")
	quota := fs.Int("quota", domain.DefaultQuota, "how many tasks the user may create")
	pos, err := env.Parse(fs, args, "NAME")
	if err != nil {
		return err
	}
	in := domain.UserCreate{Username: pos[0], Email: *email}
	if isSet(fs, "quota") {
		in.Quota = quota
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	u, key, err := svc.Users.CreateUser(ctx, in)
	if err != nil {
		return err
	}
	return env.printUserKey(u, key, "Created user")
}

func runUserRotateKey(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	pos, err := env.Parse(fs, args, "NAME")
	if err != nil {
		return err
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	u, key, err := svc.Users.RotateKey(ctx, pos[0])
	if err != nil {
		return err
	}
	return env.printUserKey(u, key, "New key for user")
}

// printUserKey prints a user with its new key. In JSON mode the note goes to
// stderr, so that stdout stays one JSON document.
func (env *Env) printUserKey(u *domain.User, key, what string) error {
	if env.Config.JSON {
		if err := env.PrintJSON(userKeyOutput{User: u, APIKey: key}); err != nil {
			return err
		}
		_, err := env.Stderr.Write([]byte(keyNote + "\n"))
		return err
	}
	env.Printf("%s %s (id %d, quota %d).\nAPI key: %s\n%s\n", what, u.Username, u.ID, u.Quota, key, keyNote)
	return nil
}

func runUserList(ctx context.Context, env *Env, args []string) error {
	svc, err := env.parsePlain(ctx, args)
	if err != nil {
		return err
	}
	users, err := svc.Users.FindUsers(ctx)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(nonNil(users))
	}
	if len(users) == 0 {
		env.Printf("No users yet. Add one with: reelvault user add NAME\n")
		return nil
	}
	t := env.Table("ID", "USERNAME", "EMAIL", "ACTIVE", "QUOTA", "USED", "KEY", "CREATED")
	for _, u := range users {
		email := u.Email
		if email == "" {
			email = "-"
		}
		active := "yes"
		if !u.IsActive {
			active = "no"
		}
		t.Row(u.ID, u.Username, email, active, u.Quota, u.UsedQuota, u.KeyPrefix+"…", fmtTime(u.CreatedAt))
	}
	return t.Flush()
}

func runUserSetActive(ctx context.Context, env *Env, args []string, active bool) error {
	fs := env.FlagSet()
	pos, err := env.Parse(fs, args, "NAME")
	if err != nil {
		return err
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	u, err := svc.Users.SetActive(ctx, pos[0], active)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(u)
	}
	state := "active"
	if !u.IsActive {
		state = "inactive"
	}
	env.Printf("User %s is now %s.\n", u.Username, state)
	return nil
}

func runUserSetQuota(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	pos, err := env.Parse(fs, args, "NAME", "N")
	if err != nil {
		return err
	}
	quota, err := strconv.Atoi(pos[1])
	if err != nil {
		return env.UsageErrorf("invalid quota %q: want a whole number", pos[1])
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	u, err := svc.Users.SetQuota(ctx, pos[0], quota)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(u)
	}
	env.Printf("User %s: quota %d, used %d.\n", u.Username, u.Quota, u.UsedQuota)
	return nil
}
