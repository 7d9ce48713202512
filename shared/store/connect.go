package store

import (
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Connect returns a Redis client for a redis:// or rediss:// URL. A
// non-empty password replaces the URL's. It does not dial: the first
// command does, so a function process starts even while Redis is down.
func Connect(url, password string) (redis.UniversalClient, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		// The URL may hold a password, so it is not repeated here.
		return nil, fmt.Errorf("invalid Redis URL: %w", err)
	}
	if password != "" {
		opts.Password = password
	}
	opts.DialTimeout = 2 * time.Second
	opts.ReadTimeout = 3 * time.Second
	opts.WriteTimeout = 3 * time.Second
	return redis.NewClient(opts), nil
}
