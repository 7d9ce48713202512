// Package logging builds the zerolog loggers of a function process and
// writes the one access line per request.
package logging

import (
	"io"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// Field names of the access line and of every request's log lines.
const (
	FieldFunction = "fn"
	FieldCallID   = "call_id"
	FieldMethod   = "method"
	FieldPath     = "path"
	FieldStatus   = "status"
	FieldDuration = "duration_ms"
)

// New returns a JSON logger that writes to w at the given level, with the
// function name on every line. The level is debug, info, warn or error, and
// any other value means info.
func New(w io.Writer, level, function string) zerolog.Logger {
	parsed, err := zerolog.ParseLevel(strings.ToLower(level))
	if err != nil || parsed == zerolog.NoLevel {
		parsed = zerolog.InfoLevel
	}
	return zerolog.New(w).Level(parsed).With().Timestamp().Str(FieldFunction, function).Logger()
}

// Access writes the access line of one request: method, path without the
// query string (which may carry user names), status and duration. Statuses
// of 500 and above are logged at error level, the rest at info.
func Access(logger zerolog.Logger, method, path string, status int, elapsed time.Duration) {
	event := logger.Info()
	if status >= 500 {
		event = logger.Error()
	}
	event.Str(FieldMethod, method).
		Str(FieldPath, path).
		Int(FieldStatus, status).
		Float64(FieldDuration, float64(elapsed.Microseconds())/1000).
		Msg("request")
}
