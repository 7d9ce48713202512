// Command gen writes the edge proxy files in deploy/ from the route table
// (see package deploy/routes). Run it from the repository root, as
// `make routes` does.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/scimfaas/scimfaas/deploy/routes"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "routes gen:", err)
		os.Exit(1)
	}
}

func run() error {
	if _, err := os.Stat("go.mod"); err != nil {
		return fmt.Errorf("go.mod not found in the working directory: run gen from the repository root")
	}
	paths := make([]string, 0, len(routes.Files))
	for path := range routes.Files {
		paths = append(paths, path)
	}
	sort.Strings(paths)

	for _, path := range paths {
		content, err := routes.Files[path]()
		if err != nil {
			return fmt.Errorf("render %s: %w", path, err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		fmt.Println("wrote", path)
	}
	return nil
}
