// Command configdoc rewrites the configuration table in README.md from the
// struct tags of shared/config.Config (see package deploy/configdoc/configtable).
// Run it from the repository root, as `make config-doc` does.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/scimfaas/scimfaas/deploy/configdoc/configtable"
)

func main() {
	readmePath := flag.String("readme", "README.md", "path of the README whose configuration table is rewritten")
	flag.Parse()
	if err := run(*readmePath); err != nil {
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(1)
	}
}

func run(readmePath string) error {
	info, err := os.Stat(readmePath)
	if err != nil {
		return fmt.Errorf("read %s: %w; run configdoc from the repository root or pass -readme", readmePath, err)
	}
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		return fmt.Errorf("read %s: %w", readmePath, err)
	}
	updated, err := configtable.Update(string(readme))
	if err != nil {
		return fmt.Errorf("%s: %w", readmePath, err)
	}
	if updated == string(readme) {
		fmt.Println(readmePath, "is up to date")
		return nil
	}
	if err := os.WriteFile(readmePath, []byte(updated), info.Mode().Perm()); err != nil {
		return fmt.Errorf("write %s: %w", readmePath, err)
	}
	fmt.Println("wrote the configuration table in", readmePath)
	return nil
}
