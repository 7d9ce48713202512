package logging_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scimfaas/scimfaas/shared/logging"
)

// decodeLines splits the output into lines and decodes each as a JSON object.
func decodeLines(t *testing.T, output string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimRight(output, "\n"), "\n") {
		if line == "" {
			continue
		}
		var fields map[string]any
		if err := json.Unmarshal([]byte(line), &fields); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		lines = append(lines, fields)
	}
	return lines
}

func TestAccess(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		wantLevel string
	}{
		{"success at info", http.StatusOK, "info"},
		{"created at info", http.StatusCreated, "info"},
		{"not found at info", http.StatusNotFound, "info"},
		{"conflict at info", http.StatusConflict, "info"},
		{"internal error at error", http.StatusInternalServerError, "error"},
		{"unavailable at error", http.StatusServiceUnavailable, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			logger := logging.New(&out, "info", "scim-users-get")
			logger = logger.With().Str(logging.FieldCallID, "call-7").Logger()

			logging.Access(logger, http.MethodGet, "/scim/Users/u1", tt.status, 1500*time.Microsecond)

			lines := decodeLines(t, out.String())
			if len(lines) != 1 {
				t.Fatalf("got %d log lines, want 1: %q", len(lines), out.String())
			}
			line := lines[0]

			checks := []struct {
				field string
				want  any
			}{
				{"level", tt.wantLevel},
				{logging.FieldFunction, "scim-users-get"},
				{logging.FieldCallID, "call-7"},
				{logging.FieldMethod, http.MethodGet},
				{logging.FieldPath, "/scim/Users/u1"},
				{logging.FieldStatus, float64(tt.status)},
				{logging.FieldDuration, 1.5},
			}
			for _, c := range checks {
				if line[c.field] != c.want {
					t.Errorf("field %s = %#v, want %#v", c.field, line[c.field], c.want)
				}
			}
			if _, ok := line["time"]; !ok {
				t.Errorf("line has no time field: %v", line)
			}
		})
	}
}

func TestAccessWithoutCallID(t *testing.T) {
	var out bytes.Buffer
	logging.Access(logging.New(&out, "info", "scim-discovery"), http.MethodGet, "/scim/Schemas", http.StatusOK, time.Millisecond)

	lines := decodeLines(t, out.String())
	if len(lines) != 1 {
		t.Fatalf("got %d log lines, want 1", len(lines))
	}
	if _, ok := lines[0][logging.FieldCallID]; ok {
		t.Errorf("line has call_id %v, which was never added", lines[0][logging.FieldCallID])
	}
}

func TestNewLevel(t *testing.T) {
	tests := []struct {
		name      string
		level     string
		wantInfo  bool
		wantDebug bool
	}{
		{"debug writes debug", "debug", true, true},
		{"info drops debug", "info", true, false},
		{"upper case level", "INFO", true, false},
		{"warn drops info", "warn", false, false},
		{"error drops info", "error", false, false},
		{"unknown means info", "verbose", true, false},
		{"empty means info", "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			logger := logging.New(&out, tt.level, "fn")

			logger.Debug().Msg("debug line")
			logger.Info().Msg("info line")

			text := out.String()
			if got := strings.Contains(text, "debug line"); got != tt.wantDebug {
				t.Errorf("debug written = %v, want %v", got, tt.wantDebug)
			}
			if got := strings.Contains(text, "info line"); got != tt.wantInfo {
				t.Errorf("info written = %v, want %v", got, tt.wantInfo)
			}
		})
	}
}

func TestAccessErrorAtWarnLevel(t *testing.T) {
	var out bytes.Buffer
	logger := logging.New(&out, "warn", "fn")

	logging.Access(logger, http.MethodGet, "/scim/Users", http.StatusOK, time.Millisecond)
	if out.Len() != 0 {
		t.Errorf("a 200 access line was written at level warn: %q", out.String())
	}

	logging.Access(logger, http.MethodGet, "/scim/Users", http.StatusBadGateway, time.Millisecond)
	if lines := decodeLines(t, out.String()); len(lines) != 1 {
		t.Errorf("got %d lines for a 502 at level warn, want 1", len(lines))
	}
}
