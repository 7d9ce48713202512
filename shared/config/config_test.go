package config_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimfaas/scimfaas/shared/config"
)

// variables lists every environment variable that Load reads.
var variables = []string{
	"SCIM_ADDR", "SCIM_BASE_PATH", "SCIM_BASE_URL",
	"SCIM_BEARER_TOKENS", "SCIM_BEARER_TOKEN_FILE",
	"SCIM_REDIS_URL", "REDIS_URL", "SCIM_REDIS_PASSWORD", "SCIM_REDIS_PASSWORD_FILE",
	"SCIM_REDIS_SENTINEL_ADDRS", "SCIM_REDIS_SENTINEL_MASTER", "SCIM_REDIS_CLUSTER_ADDRS",
	"SCIM_REDIS_USERNAME", "SCIM_REDIS_TLS",
	"SCIM_REDIS_PREFIX", "SCIM_REQUEST_TIMEOUT", "SCIM_MAX_RESULTS", "SCIM_MAX_MEMBERS_RETURNED",
	"SCIM_MAX_BODY_SIZE", "SCIM_LOG_LEVEL", "SCIM_SCHEMA_EXTENSIONS_FILE",
}

// secretFiles names the secret files of one test, which do not exist until
// the test writes them.
type secretFiles struct {
	tokens   string
	password string
}

// cleanEnv unsets every variable that Load reads, restores them when the
// test ends, and points the secret files into a fresh temporary directory,
// because their defaults are the OpenFaaS paths under /var/openfaas/secrets.
func cleanEnv(t *testing.T) secretFiles {
	t.Helper()
	for _, name := range variables {
		t.Setenv(name, "") // registers the restore of the old value
		if err := os.Unsetenv(name); err != nil {
			t.Fatalf("unset %s: %v", name, err)
		}
	}
	dir := t.TempDir()
	files := secretFiles{
		tokens:   filepath.Join(dir, "scim-bearer-token"),
		password: filepath.Join(dir, "scim-redis-password"),
	}
	t.Setenv("SCIM_BEARER_TOKEN_FILE", files.tokens)
	t.Setenv("SCIM_REDIS_PASSWORD_FILE", files.password)
	return files
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func load(t *testing.T) config.Config {
	t.Helper()
	cfg, err := config.Load()
	if err != nil {
		t.Fatalf("Load() failed: %v", err)
	}
	return cfg
}

func TestLoadDefaults(t *testing.T) {
	cleanEnv(t)
	cfg := load(t)

	checks := []struct {
		name string
		got  any
		want any
	}{
		{"addr is loopback 8585", cfg.Addr, "127.0.0.1:8585"},
		{"base path is scim", cfg.BasePath, "/scim"},
		{"base url from addr", cfg.BaseURL, "http://127.0.0.1:8585/scim"},
		{"redis url is empty", cfg.RedisURL, ""},
		{"redis password is empty", cfg.RedisPassword, ""},
		{"redis prefix is scim", cfg.RedisPrefix, "scim"},
		{"request timeout ten seconds", cfg.RequestTimeout, 10 * time.Second},
		{"max results is 200", cfg.MaxResults, 200},
		{"max body size 4 MiB", cfg.MaxBodySize, int64(4 << 20)},
		{"log level is info", cfg.LogLevel, "info"},
		{"no bearer tokens configured", len(cfg.BearerTokens), 0},
		{"no schema extensions file", cfg.SchemaExtensionsFile, ""},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %#v, want %#v", c.got, c.want)
			}
		})
	}
}

func TestLoadSchemaExtensionsFile(t *testing.T) {
	cleanEnv(t)
	// Load only records the path; NewApp reads the file, so a path that
	// does not exist yet is no error here.
	path := filepath.Join(t.TempDir(), "schema-extensions.json")
	t.Setenv("SCIM_SCHEMA_EXTENSIONS_FILE", path)

	if got := load(t).SchemaExtensionsFile; got != path {
		t.Errorf("SchemaExtensionsFile = %q, want %q", got, path)
	}
}

func TestLoadRedisURL(t *testing.T) {
	tests := []struct {
		name     string
		scimURL  *string
		redisURL *string
		want     string
	}{
		{"falls back to REDIS_URL", nil, ptr("redis://fallback:6379/0"), "redis://fallback:6379/0"},
		{"SCIM_REDIS_URL wins over REDIS_URL", ptr("redis://scim:6379/1"), ptr("redis://fallback:6379/0"), "redis://scim:6379/1"},
		{"SCIM_REDIS_URL set alone", ptr("redis://scim:6379/1"), nil, "redis://scim:6379/1"},
		{"empty SCIM_REDIS_URL falls back", ptr(""), ptr("redis://fallback:6379/0"), "redis://fallback:6379/0"},
		{"neither variable is set", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			if tt.scimURL != nil {
				t.Setenv("SCIM_REDIS_URL", *tt.scimURL)
			}
			if tt.redisURL != nil {
				t.Setenv("REDIS_URL", *tt.redisURL)
			}

			if got := load(t).RedisURL; got != tt.want {
				t.Errorf("RedisURL = %q, want %q", got, tt.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestLoadBearerTokens(t *testing.T) {
	tests := []struct {
		name      string
		env       string
		file      *string
		wantToken []string
	}{
		{"env single token", "alpha", nil, []string{"alpha"}},
		{"env comma separated", "alpha,beta", nil, []string{"alpha", "beta"}},
		{"env blanks dropped", " alpha , ,beta,, ", nil, []string{"alpha", "beta"}},
		{"file wins over env", "alpha", ptr("from-file\n"), []string{"from-file"}},
		{"file one per line", "", ptr("one\ntwo\r\nthree\n"), []string{"one", "two", "three"}},
		{"file mixed separators", "", ptr("one, two\n\n three ,\n"), []string{"one", "two", "three"}},
		{"empty file keeps env", "alpha", ptr("\n  \n"), []string{"alpha"}},
		{"neither env nor file", "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := cleanEnv(t)
			if tt.env != "" {
				t.Setenv("SCIM_BEARER_TOKENS", tt.env)
			}
			if tt.file != nil {
				writeFile(t, files.tokens, *tt.file)
			}

			if got := load(t).BearerTokens; !slices.Equal(got, tt.wantToken) {
				t.Errorf("BearerTokens = %q, want %q", got, tt.wantToken)
			}
		})
	}
}

func TestLoadRedisPassword(t *testing.T) {
	tests := []struct {
		name string
		env  string
		file *string
		want string
	}{
		{"env variable set alone", "env-secret", nil, "env-secret"},
		{"file wins over env", "env-secret", ptr("file-secret\n"), "file-secret"},
		{"file without env variable", "", ptr("file-secret"), "file-secret"},
		{"empty file keeps env", "env-secret", ptr(""), "env-secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := cleanEnv(t)
			if tt.env != "" {
				t.Setenv("SCIM_REDIS_PASSWORD", tt.env)
			}
			if tt.file != nil {
				writeFile(t, files.password, *tt.file)
			}

			if got := load(t).RedisPassword; got != tt.want {
				t.Errorf("RedisPassword = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoadUnreadableSecretFails(t *testing.T) {
	files := cleanEnv(t)
	// A directory exists but cannot be read as a file.
	if err := os.Mkdir(files.tokens, 0o700); err != nil {
		t.Fatal(err)
	}

	if _, err := config.Load(); err == nil {
		t.Error("Load() succeeded with a token file that is a directory")
	}
}

func TestLoadBasePath(t *testing.T) {
	tests := []struct {
		name        string
		basePath    string
		wantPath    string
		wantBaseURL string
	}{
		{"trailing slash dropped", "scim/", "/scim", "http://127.0.0.1:8585/scim"},
		{"root is empty", "/", "", "http://127.0.0.1:8585"},
		{"nested with slashes", "/scim/v2/", "/scim/v2", "http://127.0.0.1:8585/scim/v2"},
		{"normal path kept unchanged", "/scim", "/scim", "http://127.0.0.1:8585/scim"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			t.Setenv("SCIM_BASE_PATH", tt.basePath)
			cfg := load(t)

			if cfg.BasePath != tt.wantPath {
				t.Errorf("BasePath = %q, want %q", cfg.BasePath, tt.wantPath)
			}
			if cfg.BaseURL != tt.wantBaseURL {
				t.Errorf("BaseURL = %q, want %q", cfg.BaseURL, tt.wantBaseURL)
			}
		})
	}
}

func TestLoadBaseURL(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"derived from addr", map[string]string{"SCIM_ADDR": "0.0.0.0:9000"}, "http://0.0.0.0:9000/scim"},
		{"explicit base url kept", map[string]string{"SCIM_BASE_URL": "https://scim.example.com:8585/scim"}, "https://scim.example.com:8585/scim"},
		{"trailing slash dropped", map[string]string{"SCIM_BASE_URL": "https://scim.example.com/scim/"}, "https://scim.example.com/scim"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			for name, value := range tt.env {
				t.Setenv(name, value)
			}

			if got := load(t).BaseURL; got != tt.want {
				t.Errorf("BaseURL = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoadInvalidValues(t *testing.T) {
	tests := []struct {
		name     string
		variable string
		value    string
		wantText string
	}{
		{"duration with space", "SCIM_REQUEST_TIMEOUT", "5 s", "REQUEST_TIMEOUT"},
		{"zero request timeout", "SCIM_REQUEST_TIMEOUT", "0s", "SCIM_REQUEST_TIMEOUT"},
		{"zero max results", "SCIM_MAX_RESULTS", "0", "SCIM_MAX_RESULTS"},
		{"zero max members", "SCIM_MAX_MEMBERS_RETURNED", "0", "SCIM_MAX_MEMBERS_RETURNED"},
		{"brace in prefix", "SCIM_REDIS_PREFIX", "a{b}", "SCIM_REDIS_PREFIX"},
		{"max results not number", "SCIM_MAX_RESULTS", "many", "MAX_RESULTS"},
		{"tiny body size", "SCIM_MAX_BODY_SIZE", "100", "SCIM_MAX_BODY_SIZE"},
		{"unknown log level", "SCIM_LOG_LEVEL", "verbose", "SCIM_LOG_LEVEL"},
		{"base url without scheme", "SCIM_BASE_URL", "scim.example.com/scim", "SCIM_BASE_URL"},
		{"base url ftp scheme", "SCIM_BASE_URL", "ftp://scim.example.com/scim", "SCIM_BASE_URL"},
		{"base url without host", "SCIM_BASE_URL", "https:///scim", "SCIM_BASE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			t.Setenv(tt.variable, tt.value)

			_, err := config.Load()
			if err == nil {
				t.Fatalf("Load() with %s=%q succeeded", tt.variable, tt.value)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not name %s", err, tt.wantText)
			}
		})
	}
}

func TestLoadLogLevelAnyCase(t *testing.T) {
	cleanEnv(t)
	t.Setenv("SCIM_LOG_LEVEL", "WARN")

	if got := load(t).LogLevel; !strings.EqualFold(got, "warn") {
		t.Errorf("LogLevel = %q, want warn", got)
	}
}

func TestCheckServing(t *testing.T) {
	tests := []struct {
		name      string
		tokens    []string
		redisURL  string
		wantError []string
	}{
		{"tokens and redis set", []string{"t"}, "redis://127.0.0.1:6379/0", nil},
		{"bearer tokens are missing", nil, "redis://127.0.0.1:6379/0", []string{"bearer token"}},
		{"redis url is missing", []string{"t"}, "", []string{"Redis"}},
		{"tokens and redis missing", nil, "", []string{"bearer token", "Redis"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Config{BearerTokens: tt.tokens, RedisURL: tt.redisURL}
			err := cfg.CheckServing()

			if tt.wantError == nil {
				if err != nil {
					t.Errorf("CheckServing() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("CheckServing() = nil, want an error")
			}
			for _, text := range tt.wantError {
				if !strings.Contains(err.Error(), text) {
					t.Errorf("error %q does not mention %q", err, text)
				}
			}
		})
	}
}

func TestLoadRedisTopologies(t *testing.T) {
	cleanEnv(t)
	t.Setenv("SCIM_REDIS_CLUSTER_ADDRS", " 127.0.0.1:7000, 127.0.0.1:7001,")
	t.Setenv("SCIM_REDIS_USERNAME", "scim")
	t.Setenv("SCIM_REDIS_TLS", "true")
	cfg := load(t)

	if want := []string{"127.0.0.1:7000", "127.0.0.1:7001"}; !slices.Equal(cfg.RedisClusterAddrs, want) {
		t.Errorf("RedisClusterAddrs = %q, want %q", cfg.RedisClusterAddrs, want)
	}
	if cfg.RedisUsername != "scim" {
		t.Errorf("RedisUsername = %q, want scim", cfg.RedisUsername)
	}
	if !cfg.RedisTLS {
		t.Error("RedisTLS = false, want true")
	}
}

func TestLoadSentinel(t *testing.T) {
	cleanEnv(t)
	t.Setenv("SCIM_REDIS_SENTINEL_ADDRS", "127.0.0.1:26379,127.0.0.1:26380")
	t.Setenv("SCIM_REDIS_SENTINEL_MASTER", "scimmaster")
	cfg := load(t)

	if len(cfg.RedisSentinelAddrs) != 2 {
		t.Errorf("RedisSentinelAddrs = %q, want two addresses", cfg.RedisSentinelAddrs)
	}
	if cfg.RedisSentinelMaster != "scimmaster" {
		t.Errorf("RedisSentinelMaster = %q, want scimmaster", cfg.RedisSentinelMaster)
	}
}

func TestLoadInvalidRedisTopologies(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		wantError string
	}{
		{"url and cluster", map[string]string{"SCIM_REDIS_URL": "redis://127.0.0.1:6379/0", "SCIM_REDIS_CLUSTER_ADDRS": "127.0.0.1:7000"}, "several Redis topologies"},
		{"fallback url and sentinel", map[string]string{"REDIS_URL": "redis://127.0.0.1:6379/0", "SCIM_REDIS_SENTINEL_ADDRS": "127.0.0.1:26379", "SCIM_REDIS_SENTINEL_MASTER": "m"}, "several Redis topologies"},
		{"sentinel and cluster", map[string]string{"SCIM_REDIS_SENTINEL_ADDRS": "127.0.0.1:26379", "SCIM_REDIS_SENTINEL_MASTER": "m", "SCIM_REDIS_CLUSTER_ADDRS": "127.0.0.1:7000"}, "several Redis topologies"},
		{"sentinel without master", map[string]string{"SCIM_REDIS_SENTINEL_ADDRS": "127.0.0.1:26379"}, "SCIM_REDIS_SENTINEL_MASTER is empty"},
		{"master without sentinels", map[string]string{"SCIM_REDIS_SENTINEL_MASTER": "m"}, "SCIM_REDIS_SENTINEL_ADDRS is empty"},
		{"tls not a bool", map[string]string{"SCIM_REDIS_TLS": "sometimes"}, "SCIM_REDIS_TLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			for name, value := range tt.env {
				t.Setenv(name, value)
			}
			_, err := config.Load()
			if err == nil {
				t.Fatal("Load() = nil error, want one")
			}
			if !strings.Contains(err.Error(), tt.wantError) {
				t.Errorf("error %q does not mention %q", err, tt.wantError)
			}
		})
	}
}

func TestCheckServingAcceptsEachTopology(t *testing.T) {
	tests := []struct {
		name string
		cfg  config.Config
	}{
		{"url", config.Config{RedisURL: "redis://127.0.0.1:6379/0"}},
		{"sentinel", config.Config{RedisSentinelAddrs: []string{"127.0.0.1:26379"}, RedisSentinelMaster: "m"}},
		{"cluster", config.Config{RedisClusterAddrs: []string{"127.0.0.1:7000"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.BearerTokens = []string{"t"}
			if err := tt.cfg.CheckServing(); err != nil {
				t.Errorf("CheckServing() = %v, want nil", err)
			}
		})
	}
}
