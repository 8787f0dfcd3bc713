package store

import (
	"context"

	"github.com/reelvault/reelvault/domain"
)

// actorFrom returns the actor in ctx, or EUNAUTHORIZED when there is none.
func actorFrom(ctx context.Context) (domain.Actor, error) {
	a, ok := domain.ActorFromContext(ctx)
	if !ok || (!a.Owner && a.UserID <= 0) {
		return domain.Actor{}, domain.Errorf(domain.EUNAUTHORIZED, "Sign in with an API key to do this.")
	}
	return a, nil
}

// ownerFrom returns the actor in ctx when it is the owner: EUNAUTHORIZED
// without an actor, EFORBIDDEN for a user.
func ownerFrom(ctx context.Context) (domain.Actor, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return a, err
	}
	if !a.Owner {
		return a, domain.Errorf(domain.EFORBIDDEN, "Only the owner of this Reelvault can do this.")
	}
	return a, nil
}
