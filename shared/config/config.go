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

	"github.com/scimfaas/scimfaas/shared/store"
)

// Prefix is the prefix of every configuration variable.
const Prefix = "SCIM"

// Config is the configuration of a function process or of the local server.
type Config struct {
	Addr     string `split_words:"true" default:"127.0.0.1:8585" desc:"Listen address of the local server (make run)."`
	BasePath string `split_words:"true" default:"/scim" desc:"Path under which the SCIM endpoints are served; Entra ID appends /Users to the Tenant URL that ends with it."`
	BaseURL  string `split_words:"true" desc:"Public SCIM base URL used for meta.location and Location, such as https://scim.example.com:8585/scim. Set it whenever clients reach the server through a proxy or gateway. Without it: http:// plus SCIM_ADDR plus the base path."`

	BearerTokens    []string `split_words:"true" desc:"Comma-separated bearer tokens that clients may send. Several tokens let a token be rotated without downtime."`
	BearerTokenFile string   `split_words:"true" default:"/var/openfaas/secrets/scim-bearer-token" desc:"Secret file with accepted bearer tokens, one per line or comma-separated. When readable and not empty, it replaces SCIM_BEARER_TOKENS."`

	RedisURL            string   `envconfig:"REDIS_URL" desc:"Redis URL of a single server, such as redis://host:6379/0, or rediss:// for TLS."`
	RedisSentinelAddrs  []string `split_words:"true" desc:"Comma-separated host:port addresses of Redis Sentinels; SCIM_REDIS_SENTINEL_MASTER names the master."`
	RedisSentinelMaster string   `split_words:"true" desc:"Name of the master that the Sentinels in SCIM_REDIS_SENTINEL_ADDRS monitor."`
	RedisClusterAddrs   []string `split_words:"true" desc:"Comma-separated host:port addresses of Redis Cluster seed nodes."`
	RedisUsername       string   `split_words:"true" desc:"Redis ACL username for Sentinel or Cluster; with SCIM_REDIS_URL, put it in the URL."`
	RedisTLS            bool     `split_words:"true" default:"false" desc:"Connect to the Sentinel master or the Cluster nodes over TLS; with SCIM_REDIS_URL, use rediss:// instead."`

	RedisPassword     string        `split_words:"true" desc:"Redis password, for Sentinel and Cluster, or for a URL that carries none."`
	RedisPasswordFile string        `split_words:"true" default:"/var/openfaas/secrets/scim-redis-password" desc:"Secret file with the Redis password. When readable and not empty, it replaces SCIM_REDIS_PASSWORD."`
	RedisPrefix       string        `split_words:"true" default:"scim" desc:"Prefix of every Redis key this server writes."`
	RequestTimeout    time.Duration `split_words:"true" default:"10s" desc:"Time limit for the store calls of one request; keep it below the OpenFaaS exec_timeout."`

	MaxResults         int    `split_words:"true" default:"200" desc:"Largest page that a list request returns; a larger count is capped to it."`
	MaxMembersReturned int64  `split_words:"true" default:"50000" desc:"Maximum number of group members in one response. A GET or list of groups with more members in total gets 400 tooMany; clients then read the groups with excludedAttributes=members and page user members with GET /Users?filter=groups.value eq \"id\"."`
	MaxBodySize        int64  `split_words:"true" default:"4194304" desc:"Largest request body in bytes; larger requests get 413."`
	LogLevel           string `split_words:"true" default:"info" desc:"Log level: debug, info, warn or error."`

	SchemaExtensionsFile string `split_words:"true" desc:"JSON file of custom extension schemas for users, a JSON array of RFC 7643 Schema resources each with a resourceType member; see deploy/schema-extensions.example.json. Empty serves only the built-in User, Enterprise User and Group schemas. A missing or invalid file makes every request get 503, with the reason in the log."`
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

	cfg.RedisSentinelAddrs = trimList(cfg.RedisSentinelAddrs)
	cfg.RedisClusterAddrs = trimList(cfg.RedisClusterAddrs)

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
	if c.MaxMembersReturned < 1 {
		problems = append(problems, fmt.Errorf("SCIM_MAX_MEMBERS_RETURNED is %d; it must be at least 1", c.MaxMembersReturned))
	}
	if strings.ContainsAny(c.RedisPrefix, "{}") {
		problems = append(problems, fmt.Errorf("SCIM_REDIS_PREFIX %q is invalid: it must not contain { or }, because it becomes the Redis Cluster hash tag", c.RedisPrefix))
	}
	if c.MaxBodySize < 1024 {
		problems = append(problems, fmt.Errorf("SCIM_MAX_BODY_SIZE is %d; it must be at least 1024 bytes", c.MaxBodySize))
	}
	if c.RequestTimeout <= 0 {
		problems = append(problems, fmt.Errorf("SCIM_REQUEST_TIMEOUT is %s; it must be positive", c.RequestTimeout))
	}
	problems = append(problems, c.validateRedis()...)
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		problems = append(problems, fmt.Errorf("SCIM_LOG_LEVEL %q is not one of debug, info, warn, error", c.LogLevel))
	}
	return errors.Join(problems...)
}

// validateRedis checks that at most one Redis topology is configured and
// that a Sentinel topology names its master. Having none is left to
// CheckServing, because commands such as the local server fill it in later.
func (c Config) validateRedis() []error {
	var problems []error
	var set []string
	if c.RedisURL != "" {
		set = append(set, "SCIM_REDIS_URL (or REDIS_URL)")
	}
	if len(c.RedisSentinelAddrs) > 0 {
		set = append(set, "SCIM_REDIS_SENTINEL_ADDRS")
	}
	if len(c.RedisClusterAddrs) > 0 {
		set = append(set, "SCIM_REDIS_CLUSTER_ADDRS")
	}
	if len(set) > 1 {
		problems = append(problems, fmt.Errorf("several Redis topologies are configured (%s); set only one of them", strings.Join(set, ", ")))
	}
	if len(c.RedisSentinelAddrs) > 0 && c.RedisSentinelMaster == "" {
		problems = append(problems, errors.New("SCIM_REDIS_SENTINEL_ADDRS is set but SCIM_REDIS_SENTINEL_MASTER is empty; set it to the master name the Sentinels monitor"))
	}
	if c.RedisSentinelMaster != "" && len(c.RedisSentinelAddrs) == 0 {
		problems = append(problems, errors.New("SCIM_REDIS_SENTINEL_MASTER is set but SCIM_REDIS_SENTINEL_ADDRS is empty; set the Sentinel addresses"))
	}
	return problems
}

// RedisConfigured reports whether any Redis topology is set: a URL,
// Sentinels or Cluster seed nodes.
func (c Config) RedisConfigured() bool {
	return c.RedisURL != "" || len(c.RedisSentinelAddrs) > 0 || len(c.RedisClusterAddrs) > 0
}

// StoreOptions returns the Redis topology and credentials for store.Connect.
func (c Config) StoreOptions() store.Options {
	return store.Options{
		URL:            c.RedisURL,
		SentinelAddrs:  c.RedisSentinelAddrs,
		SentinelMaster: c.RedisSentinelMaster,
		ClusterAddrs:   c.RedisClusterAddrs,
		Username:       c.RedisUsername,
		Password:       c.RedisPassword,
		TLS:            c.RedisTLS,
	}
}

// CheckServing returns an error when the configuration lacks what serving
// requests needs: at least one bearer token and one Redis topology.
func (c Config) CheckServing() error {
	var problems []error
	if len(c.BearerTokens) == 0 {
		problems = append(problems, errors.New("no bearer token configured: set SCIM_BEARER_TOKENS or mount the secret file named by SCIM_BEARER_TOKEN_FILE"))
	}
	if !c.RedisConfigured() {
		problems = append(problems, errors.New("no Redis configured: set SCIM_REDIS_URL (or REDIS_URL), SCIM_REDIS_SENTINEL_ADDRS with SCIM_REDIS_SENTINEL_MASTER, or SCIM_REDIS_CLUSTER_ADDRS"))
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

// trimList drops the spaces around each item of a comma-separated list and
// the empty items, so that "a:1, b:2," reads as two addresses.
func trimList(items []string) []string {
	var trimmed []string
	for _, item := range items {
		if item = strings.TrimSpace(item); item != "" {
			trimmed = append(trimmed, item)
		}
	}
	return trimmed
}
