package store

import (
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Options selects the Redis topology for Connect. Exactly one of URL,
// SentinelAddrs and ClusterAddrs must be set.
type Options struct {
	// URL is the redis:// or rediss:// URL of a single server.
	URL string
	// SentinelAddrs are the host:port addresses of the Sentinels that
	// monitor the master named SentinelMaster.
	SentinelAddrs  []string
	SentinelMaster string
	// ClusterAddrs are host:port addresses of Redis Cluster seed nodes.
	ClusterAddrs []string

	// Username and Password authenticate to the data nodes. A non-empty
	// Password replaces the one in URL. Username applies to Sentinel and
	// Cluster only, because a URL carries its own.
	Username string
	Password string
	// TLS turns on TLS to the Sentinel master or the Cluster nodes. A URL
	// selects TLS with the rediss:// scheme instead.
	TLS bool
}

// Timeouts of every Redis connection, the same for all topologies.
const (
	dialTimeout  = 2 * time.Second
	readTimeout  = 3 * time.Second
	writeTimeout = 3 * time.Second
)

// Connect returns a Redis client for the topology in opts: redis.NewClient
// for a URL, redis.NewFailoverClient for Sentinel and redis.NewClusterClient
// for Cluster. It does not dial: the first command does, so a function
// process starts even while Redis is down.
func Connect(opts Options) (redis.UniversalClient, error) {
	topologies := 0
	for _, set := range []bool{opts.URL != "", len(opts.SentinelAddrs) > 0, len(opts.ClusterAddrs) > 0} {
		if set {
			topologies++
		}
	}
	if topologies != 1 {
		return nil, fmt.Errorf("invalid Redis options: %d topologies set, want exactly one of URL, Sentinel addresses and Cluster addresses", topologies)
	}

	var tlsConfig *tls.Config
	if opts.TLS {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}

	switch {
	case opts.URL != "":
		return connectURL(opts.URL, opts.Password)

	case len(opts.SentinelAddrs) > 0:
		if opts.SentinelMaster == "" {
			return nil, errors.New("invalid Redis options: Sentinel addresses are set but the master name is empty")
		}
		return redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName:    opts.SentinelMaster,
			SentinelAddrs: opts.SentinelAddrs,
			Username:      opts.Username,
			Password:      opts.Password,
			TLSConfig:     tlsConfig,
			DialTimeout:   dialTimeout,
			ReadTimeout:   readTimeout,
			WriteTimeout:  writeTimeout,
		}), nil

	default:
		return redis.NewClusterClient(&redis.ClusterOptions{
			Addrs:        opts.ClusterAddrs,
			Username:     opts.Username,
			Password:     opts.Password,
			TLSConfig:    tlsConfig,
			DialTimeout:  dialTimeout,
			ReadTimeout:  readTimeout,
			WriteTimeout: writeTimeout,
		}), nil
	}
}

func connectURL(url, password string) (redis.UniversalClient, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		// The URL may hold a password, so it is not repeated here.
		return nil, fmt.Errorf("invalid Redis URL: %w", err)
	}
	if password != "" {
		opts.Password = password
	}
	opts.DialTimeout = dialTimeout
	opts.ReadTimeout = readTimeout
	opts.WriteTimeout = writeTimeout
	return redis.NewClient(opts), nil
}
