package configtable

import (
	"encoding"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kelseyhightower/envconfig"

	"github.com/scimfaas/scimfaas/shared/config"
)

// readmePath is the repository's README, relative to this package's folder.
var readmePath = filepath.Join("..", "..", "..", "README.md")

func TestReadmeTableUpToDate(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatalf("read %s: %v", readmePath, err)
	}
	want, err := Update(string(readme))
	if err != nil {
		t.Fatalf("%s: %v", readmePath, err)
	}
	if string(readme) != want {
		t.Errorf("the configuration table in README.md differs from the desc tags of shared/config.Config: run make config-doc")
	}
}

// TestTableListsEveryField counts the leaf fields of config.Config by
// reflection, independently of envconfig, so that a field added to the
// struct cannot be missing from the table.
func TestTableListsEveryField(t *testing.T) {
	table, err := Table()
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Count(table, "\n") - 2
	if want := countLeafFields(reflect.TypeOf(config.Config{})); rows != want {
		t.Errorf("table has %d rows, want one per field of config.Config (%d):\n%s", rows, want, table)
	}
}

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	decoder         = reflect.TypeFor[envconfig.Decoder]()
	setter          = reflect.TypeFor[envconfig.Setter]()
)

func countLeafFields(typ reflect.Type) int {
	count := 0
	for field := range typ.Fields() {
		if !field.IsExported() || field.Tag.Get("ignored") == "true" {
			continue
		}
		fieldType := field.Type
		for fieldType.Kind() == reflect.Pointer {
			fieldType = fieldType.Elem()
		}
		// envconfig decodes a struct that implements one of its decoding
		// interfaces as one variable, and flattens any other struct.
		decodable := reflect.PointerTo(fieldType).Implements(textUnmarshaler) ||
			reflect.PointerTo(fieldType).Implements(decoder) ||
			reflect.PointerTo(fieldType).Implements(setter)
		if fieldType.Kind() == reflect.Struct && !decodable {
			count += countLeafFields(fieldType)
			continue
		}
		count++
	}
	return count
}

func TestTableRows(t *testing.T) {
	table, err := Table()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	if lines[0] != "| variable | default | meaning |" {
		t.Errorf("header = %q", lines[0])
	}

	rows := map[string]string{}
	for _, line := range lines[2:] {
		variable, _, _ := strings.Cut(strings.TrimPrefix(line, "| "), " |")
		rows[variable] = line
	}
	cases := []struct {
		variable string
		contains string
	}{
		{"`SCIM_ADDR`", "| `127.0.0.1:8585` |"},
		{"`SCIM_BASE_URL`", "| none |"},
		{"`SCIM_BEARER_TOKEN_FILE`", "| `/var/openfaas/secrets/scim-bearer-token` |"},
		{"`SCIM_REDIS_URL` (also read as `REDIS_URL`)", "Redis URL"},
		{"`SCIM_REQUEST_TIMEOUT`", "| `10s` |"},
	}
	for _, c := range cases {
		row, ok := rows[c.variable]
		if !ok {
			t.Errorf("no row for %s in:\n%s", c.variable, table)
			continue
		}
		if !strings.Contains(row, c.contains) {
			t.Errorf("row %q does not contain %q", row, c.contains)
		}
	}
}

// TestAltNoteFollowsEnvconfigTag checks the fallback note and the cell
// escaping on a struct of its own, nested fields included.
func TestAltNoteFollowsEnvconfigTag(t *testing.T) {
	type sentinel struct {
		MasterName string `split_words:"true" desc:"Name of the master | primary."`
	}
	type spec struct {
		Plain    string `split_words:"true" default:"a|b"`
		Tagged   string `envconfig:"TAGGED_NAME" desc:"First line.\n  Second line."`
		Sentinel sentinel
		Skipped  string `ignored:"true"`
	}
	var out strings.Builder
	if err := renderRows(&out, "APP", &spec{}); err != nil {
		t.Fatal(err)
	}
	want := "| `APP_PLAIN` | `a\\|b` |  |\n" +
		"| `APP_TAGGED_NAME` (also read as `TAGGED_NAME`) | none | First line. Second line. |\n" +
		"| `APP_SENTINEL_MASTER_NAME` | none | Name of the master \\| primary. |\n"
	if out.String() != want {
		t.Errorf("rows =\n%s\nwant\n%s", out.String(), want)
	}
}

func TestSplice(t *testing.T) {
	readme := "intro\n" + StartMarker + "\nold table\n" + EndMarker + "\noutro\n"
	got, err := Splice(readme, "\nnew\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "intro\n" + StartMarker + "\n\nnew\n" + EndMarker + "\noutro\n"
	if got != want {
		t.Errorf("Splice =\n%q\nwant\n%q", got, want)
	}
}

func TestSpliceRejectsBadMarkers(t *testing.T) {
	cases := map[string]string{
		"no markers":       "text\n",
		"no end marker":    StartMarker + "\n",
		"end before start": EndMarker + "\n" + StartMarker + "\n",
		"two start":        StartMarker + StartMarker + EndMarker,
	}
	for name, readme := range cases {
		if _, err := Splice(readme, "x"); err == nil {
			t.Errorf("%s: Splice returned no error", name)
		}
	}
}
