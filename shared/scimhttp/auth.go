package scimhttp

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"
)

// Authenticator checks bearer tokens against the configured ones.
type Authenticator struct {
	digests [][sha256.Size]byte
}

// NewAuthenticator returns an Authenticator that accepts any of tokens.
// Several tokens let an operator rotate a token without downtime.
func NewAuthenticator(tokens []string) *Authenticator {
	a := &Authenticator{}
	for _, token := range tokens {
		a.digests = append(a.digests, sha256.Sum256([]byte(token)))
	}
	return a
}

// Allow reports whether an Authorization header value carries an accepted
// bearer token. It compares SHA-256 digests in constant time against every
// configured token, so neither the position of a mismatch nor the token's
// length shows in the timing.
func (a *Authenticator) Allow(authorization string) bool {
	scheme, token, found := strings.Cut(strings.TrimSpace(authorization), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return false
	}

	given := sha256.Sum256([]byte(token))
	allowed := 0
	for _, digest := range a.digests {
		allowed |= subtle.ConstantTimeCompare(given[:], digest[:])
	}
	return allowed == 1
}
