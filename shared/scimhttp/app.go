package scimhttp

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/scimfaas/scimfaas/shared/config"
	"github.com/scimfaas/scimfaas/shared/logging"
	"github.com/scimfaas/scimfaas/shared/resource"
	"github.com/scimfaas/scimfaas/shared/route"
	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
	"github.com/scimfaas/scimfaas/shared/store"
)

// App is the set of dependencies that a function process serves requests
// with, built once per process by the function's composition root.
type App struct {
	Config   config.Config
	Log      zerolog.Logger
	Auth     *Authenticator
	Registry *schema.Registry
	// Services maps a resource type id, such as "User", to its service.
	Services map[string]*resource.Service

	// Function is the name of the function this process serves.
	Function string

	client redis.UniversalClient
	store  *store.Redis
	// layoutChecked is set once the store is known to hold no keys of the
	// first key layout; layoutLogged once that problem has been logged.
	layoutChecked, layoutLogged atomic.Bool
}

// NewApp builds an App from a configuration: the logger, the Redis client,
// the store and the resource services. It reads the extension schema file
// that SCIM_SCHEMA_EXTENSIONS_FILE names, if any, and does not contact Redis.
func NewApp(cfg config.Config, function string, logOutput io.Writer) (*App, error) {
	if err := cfg.CheckServing(); err != nil {
		return nil, err
	}
	userType, err := userResourceType(cfg.SchemaExtensionsFile)
	if err != nil {
		return nil, err
	}
	client, err := store.Connect(cfg.StoreOptions())
	if err != nil {
		return nil, err
	}
	st := store.New(client, cfg.RedisPrefix)

	users := &resource.Service{
		Type:       userType,
		Store:      st,
		Indexes:    resource.UserIndexes(),
		BaseURL:    cfg.BaseURL,
		MaxResults: cfg.MaxResults,
		MaxMembers: cfg.MaxMembersReturned,
	}
	groups := &resource.Service{
		Type:       schema.GroupType,
		Store:      st,
		Indexes:    resource.GroupIndexes(),
		BaseURL:    cfg.BaseURL,
		MaxResults: cfg.MaxResults,
		MaxMembers: cfg.MaxMembersReturned,
	}

	logger := logging.New(logOutput, cfg.LogLevel, function)
	// go-redis reports pool failures through one process-wide logger in
	// plain text, which would break a log of JSON lines.
	redis.SetLogger(redisLogger{logger})

	return &App{
		Config:   cfg,
		Log:      logger,
		Auth:     NewAuthenticator(cfg.BearerTokens),
		Registry: &schema.Registry{Types: []*schema.ResourceType{userType, schema.GroupType}},
		Services: map[string]*resource.Service{userType.ID: users, schema.GroupType.ID: groups},
		Function: function,
		client:   client,
		store:    st,
	}, nil
}

// userResourceType returns the User resource type with the custom extension
// schemas of the file at path appended, or schema.UserType when path is
// empty. A file that is missing or invalid is an error, because an
// administrator who set the path expects its attributes to be stored.
func userResourceType(path string) (*schema.ResourceType, error) {
	if path == "" {
		return schema.UserType, nil
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("SCIM_SCHEMA_EXTENSIONS_FILE: %w", err)
	}
	defer file.Close()

	extensions, err := schema.LoadExtensions(file)
	if err != nil {
		return nil, fmt.Errorf("SCIM_SCHEMA_EXTENSIONS_FILE %s: %w", path, err)
	}
	var userExtensions []*schema.Schema
	for _, ext := range extensions {
		if ext.ResourceType == schema.UserType.ID {
			userExtensions = append(userExtensions, ext.Schema)
		}
	}
	userType, err := schema.UserType.WithExtensions(userExtensions...)
	if err != nil {
		return nil, fmt.Errorf("SCIM_SCHEMA_EXTENSIONS_FILE %s: %w", path, err)
	}
	return userType, nil
}

// checkLayout returns a 503 error while the store still holds users of the
// first key layout, which this version would not see: serving then would
// let a provisioning cycle create every user a second time. Once the store
// is free of them, the check is not repeated. A failed check lets the
// request go on, because its own store calls report the outage.
func (a *App) checkLayout(ctx context.Context) error {
	if a.Function == route.Discovery || a.layoutChecked.Load() {
		return nil
	}
	found, err := a.store.HasFirstLayoutKeys(ctx)
	if err != nil {
		return nil
	}
	if found {
		if a.layoutLogged.CompareAndSwap(false, true) {
			a.Log.Error().Msg("the Redis store contains users in the first key layout, which this version cannot read: stop the functions, run make migrate-keys and start them again")
		}
		return scimerr.New(http.StatusServiceUnavailable, "", "the store needs a migration before this version can serve it; see the server log")
	}
	a.layoutChecked.Store(true)
	return nil
}

// Close releases the Redis client.
func (a *App) Close() error {
	if err := a.client.Close(); err != nil {
		return fmt.Errorf("close Redis client: %w", err)
	}
	return nil
}

// redisLogger writes go-redis's own messages as JSON log lines at warn
// level.
type redisLogger struct {
	log zerolog.Logger
}

func (l redisLogger) Printf(_ context.Context, format string, args ...any) {
	l.log.Warn().Str("component", "redis").Msg(fmt.Sprintf(format, args...))
}
