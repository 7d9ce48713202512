// Package lambda_test checks the AWS Lambda deployment as a whole: one
// command per function in the route table, no aws-lambda-go in the OpenFaaS
// functions, and a built bootstrap under the Runtime Interface Emulator.
package lambda_test

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scimfaas/scimfaas/shared/route"
)

const modulePath = "github.com/scimfaas/scimfaas"

// moduleRoot returns the directory of the root go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD failed: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("go env GOMOD is empty; run the test inside the scimfaas module")
	}
	return filepath.Dir(gomod)
}

func TestCommandPerFunction(t *testing.T) {
	root := moduleRoot(t)

	for _, name := range route.Functions() {
		t.Run(name, func(t *testing.T) {
			mainFile := filepath.Join(root, "deploy", "lambda", "cmd", name, "main.go")
			file, err := parser.ParseFile(token.NewFileSet(), mainFile, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatalf("function %s is in the route table but deploy/lambda/cmd/%s/main.go is missing or invalid: %v", name, name, err)
			}

			// Function scim-users-get lives in functions/users-get.
			want := modulePath + "/functions/" + strings.TrimPrefix(name, "scim-")
			var imports []string
			for _, spec := range file.Imports {
				path, _ := strconv.Unquote(spec.Path.Value)
				imports = append(imports, path)
			}
			if !slices.Contains(imports, want) {
				t.Errorf("deploy/lambda/cmd/%s/main.go imports %q, want it to import %s", name, imports, want)
			}
			if !slices.Contains(imports, modulePath+"/deploy/lambda/adapter") {
				t.Errorf("deploy/lambda/cmd/%s/main.go does not import the adapter", name)
			}
		})
	}
}

func TestNoCommandWithoutFunction(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join(moduleRoot(t), "deploy", "lambda", "cmd"))
	if err != nil {
		t.Fatal(err)
	}
	for _, entry := range entries {
		if entry.IsDir() && !slices.Contains(route.Functions(), entry.Name()) {
			t.Errorf("deploy/lambda/cmd/%s has no function of that name in the route table; remove it or add the route", entry.Name())
		}
	}
}

// TestOpenFaaSFunctionsWithoutAWS keeps aws-lambda-go out of the OpenFaaS
// images, whose build contexts hold shared/ and one function. The test
// dependencies count too, because the image build runs go test.
func TestOpenFaaSFunctionsWithoutAWS(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-test", "./functions/...", "./shared/...")
	cmd.Dir = moduleRoot(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps -test ./functions/... ./shared/... failed: %v\n%s", err, stderr.String())
	}

	packages := strings.Fields(string(out))
	if !slices.Contains(packages, modulePath+"/shared/route") {
		t.Fatalf("go list output lacks %s/shared/route, so the check would pass vacuously:\n%s", modulePath, out)
	}
	for _, pkg := range packages {
		if strings.HasPrefix(pkg, "github.com/aws/") {
			t.Errorf("package %s is a dependency of functions/ or shared/; keep AWS code under deploy/lambda", pkg)
		}
	}
}
