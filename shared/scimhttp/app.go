package scimhttp

import (
	"fmt"
	"io"
	"os"

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
	client, err := store.Connect(cfg.RedisURL, cfg.RedisPassword)
	if err != nil {
		return nil, err
	}
	st := store.New(client, cfg.RedisPrefix)

	users := &resource.Service{
		Type:       userType,
		Store:      st,
		Indexes:    []resource.Index{{Attribute: "userName", Unique: true}, {Attribute: "externalId"}},
		BaseURL:    cfg.BaseURL,
		MaxResults: cfg.MaxResults,
	}

	return &App{
		Config:   cfg,
		Log:      logging.New(logOutput, cfg.LogLevel, function),
		Auth:     NewAuthenticator(cfg.BearerTokens),
		Registry: &schema.Registry{Types: []*schema.ResourceType{userType}},
		Services: map[string]*resource.Service{userType.ID: users},
		Function: function,
		client:   client,
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

// Close releases the Redis client.
func (a *App) Close() error {
	if err := a.client.Close(); err != nil {
		return fmt.Errorf("close Redis client: %w", err)
	}
	return nil
}
