package scimhttp

import (
	"fmt"
	"io"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/scimfaas/scimfaas/shared/config"
	"github.com/scimfaas/scimfaas/shared/logging"
	"github.com/scimfaas/scimfaas/shared/resource"
	"github.com/scimfaas/scimfaas/shared/schema"
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
}

// NewApp builds an App from a configuration: the logger, the Redis client,
// the store and the resource services. It does not contact Redis.
func NewApp(cfg config.Config, function string, logOutput io.Writer) (*App, error) {
	if err := cfg.CheckServing(); err != nil {
		return nil, err
	}
	client, err := store.Connect(cfg.RedisURL, cfg.RedisPassword)
	if err != nil {
		return nil, err
	}
	st := store.New(client, cfg.RedisPrefix)

	users := &resource.Service{
		Type:       schema.UserType,
		Store:      st,
		Indexes:    []resource.Index{{Attribute: "userName", Unique: true}, {Attribute: "externalId"}},
		BaseURL:    cfg.BaseURL,
		MaxResults: cfg.MaxResults,
	}

	return &App{
		Config:   cfg,
		Log:      logging.New(logOutput, cfg.LogLevel, function),
		Auth:     NewAuthenticator(cfg.BearerTokens),
		Registry: &schema.Registry{Types: []*schema.ResourceType{schema.UserType}},
		Services: map[string]*resource.Service{schema.UserType.ID: users},
		Function: function,
		client:   client,
	}, nil
}

// Close releases the Redis client.
func (a *App) Close() error {
	if err := a.client.Close(); err != nil {
		return fmt.Errorf("close Redis client: %w", err)
	}
	return nil
}
