package domain

import "context"

// Actor is who is calling a service. The desktop owner (the person at this
// machine: the window, the CLI, the owner session of the web UI) sees and
// manages everything; a user authenticated by API key sees only its own tasks.
type Actor struct {
	Owner  bool  `json:"owner"`
	UserID int64 `json:"user_id,omitempty"`
}

type actorKey struct{}

// WithActor returns a context that carries actor.
func WithActor(ctx context.Context, actor Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// WithOwner returns a context whose actor is the local owner.
func WithOwner(ctx context.Context) context.Context {
	return WithActor(ctx, Actor{Owner: true})
}

// WithUser returns a context whose actor is the user with the given ID.
func WithUser(ctx context.Context, userID int64) context.Context {
	return WithActor(ctx, Actor{UserID: userID})
}

// ActorFromContext returns the actor carried by ctx; ok is false when there is
// none. Services refuse a context without an actor with EUNAUTHORIZED.
func ActorFromContext(ctx context.Context) (actor Actor, ok bool) {
	actor, ok = ctx.Value(actorKey{}).(Actor)
	return actor, ok
}
