// Package config reads the server configuration from SCIM_ environment
// variables and from secret files, once per process.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"
)

// Prefix is the prefix of every configuration variable.
const Prefix = "SCIM"

// Config is the configuration of a function process or of the local server.
type Config struct {
	Addr     string `split_words:"true" default:"127.0.0.1:8585" desc:"Listen address of the local server (make run)."`
	BasePath string `split_words:"true" default:"/scim" desc:"Path under which the SCIM endpoints are served; Entra ID appends /Users to the Tenant URL that ends with it."`
	BaseURL  string `split_words:"true" desc:"Public SCIM base URL used for meta.location and Location, such as https://scim.example.com:8585/scim. Defaults to http://ADDR plus the base path."`

	BearerTokens    []string `split_words:"true" desc:"Comma-separated bearer tokens that clients may send; more than one lets a token be rotated."`
	BearerTokenFile string   `split_words:"true" default:"/var/openfaas/secrets/scim-bearer-token" desc:"Secret file with accepted bearer tokens, one per line or comma-separated. When readable and not empty, it replaces SCIM_BEARER_TOKENS."`

	RedisURL          string        `envconfig:"REDIS_URL" desc:"Redis URL such as redis://host:6379/0 or rediss:// for TLS. Also read from REDIS_URL."`
	RedisPassword     string        `split_words:"true" desc:"Redis password, when the URL carries none."`
	RedisPasswordFile string        `split_words:"true" default:"/var/openfaas/secrets/scim-redis-password" desc:"Secret file with the Redis password. When readable and not empty, it replaces SCIM_REDIS_PASSWORD."`
	RedisPrefix       string        `split_words:"true" default:"scim" desc:"Prefix of every Redis key this server writes."`
	RequestTimeout    time.Duration `split_words:"true" default:"10s" desc:"Time limit for the store calls of one request; keep it below the OpenFaaS exec_timeout."`

	MaxResults  int    `split_words:"true" default:"200" desc:"Largest page that a list request returns; a larger count is capped to it."`
	MaxBodySize int64  `split_words:"true" default:"4194304" desc:"Largest request body in bytes; larger requests get 413."`
	LogLevel    string `split_words:"true" default:"info" desc:"Log level: debug, info, warn or error."`

	SchemaExtensionsFile string `split_words:"true" desc:"JSON file of custom extension schemas for users, a JSON array of RFC 7643 Schema resources each with a resourceType member; see deploy/schema-extensions.example.json. Empty serves only the User and Enterprise User schemas."`
}

// Load reads the configuration from the environment and the secret files,
// fills derived defaults and validates it. A value that does not parse or
// fails validation is an error, never a silent default.
func Load() (Config, error) {
	var cfg Config
	if err := envconfig.Process(Prefix, &cfg); err != nil {
		return Config{}, fmt.Errorf("read configuration: %w", err)
	}
	// envconfig falls back to REDIS_URL only when SCIM_REDIS_URL is unset.
	// A compose file that passes on an unset SCIM_REDIS_URL sets it to "",
	// so an empty value falls back too.
	if cfg.RedisURL == "" {
		cfg.RedisURL = os.Getenv("REDIS_URL")
	}

	tokens, err := readSecret(cfg.BearerTokenFile)
	if err != nil {
		return Config{}, err
	}
	if tokens != "" {
		cfg.BearerTokens = splitTokens(tokens)
	} else {
		cfg.BearerTokens = splitTokens(strings.Join(cfg.BearerTokens, ","))
	}

	password, err := readSecret(cfg.RedisPasswordFile)
	if err != nil {
		return Config{}, err
	}
	if password != "" {
		cfg.RedisPassword = password
	}

	cfg.BasePath = "/" + strings.Trim(cfg.BasePath, "/")
	if cfg.BasePath == "/" {
		cfg.BasePath = ""
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + cfg.Addr + cfg.BasePath
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")

	return cfg, cfg.validate()
}

func (c Config) validate() error {
	var problems []error
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		problems = append(problems, fmt.Errorf("SCIM_BASE_URL %q is not an absolute http or https URL", c.BaseURL))
	}
	if c.MaxResults < 1 {
		problems = append(problems, fmt.Errorf("SCIM_MAX_RESULTS is %d; it must be at least 1", c.MaxResults))
	}
	if c.MaxBodySize < 1024 {
		problems = append(problems, fmt.Errorf("SCIM_MAX_BODY_SIZE is %d; it must be at least 1024 bytes", c.MaxBodySize))
	}
	if c.RequestTimeout <= 0 {
		problems = append(problems, fmt.Errorf("SCIM_REQUEST_TIMEOUT is %s; it must be positive", c.RequestTimeout))
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		problems = append(problems, fmt.Errorf("SCIM_LOG_LEVEL %q is not one of debug, info, warn, error", c.LogLevel))
	}
	return errors.Join(problems...)
}

// CheckServing returns an error when the configuration lacks what serving
// requests needs: at least one bearer token and a Redis URL.
func (c Config) CheckServing() error {
	var problems []error
	if len(c.BearerTokens) == 0 {
		problems = append(problems, errors.New("no bearer token configured: set SCIM_BEARER_TOKENS or mount the secret file named by SCIM_BEARER_TOKEN_FILE"))
	}
	if c.RedisURL == "" {
		problems = append(problems, errors.New("no Redis configured: set SCIM_REDIS_URL or REDIS_URL"))
	}
	return errors.Join(problems...)
}

// Usage writes the table of configuration variables, their defaults and
// descriptions, as envconfig derives it from Config.
func Usage() error {
	return envconfig.Usage(Prefix, &Config{})
}

// readSecret returns the trimmed content of a secret file, or "" when the
// file does not exist. Any other read error is returned, because a secret
// that exists but cannot be read is a deployment fault.
func readSecret(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	content, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read secret file %s: %w", path, err)
	}
	return strings.TrimSpace(string(content)), nil
}

func splitTokens(list string) []string {
	fields := strings.FieldsFunc(list, func(r rune) bool {
		return r == ',' || r == '\n' || r == '\r'
	})
	var tokens []string
	for _, field := range fields {
		if token := strings.TrimSpace(field); token != "" {
			tokens = append(tokens, token)
		}
	}
	return tokens
}
