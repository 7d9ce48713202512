package routes

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scimfaas/scimfaas/shared/route"
)

// repoRoot is the repository root, relative to this package's folder.
const repoRoot = "../.."

func TestGeneratedFilesMatchTable(t *testing.T) {
	for path, render := range Files {
		want, err := render()
		if err != nil {
			t.Errorf("render %s: %v", path, err)
			continue
		}
		got, err := os.ReadFile(filepath.Join(repoRoot, path))
		if err != nil {
			t.Errorf("read %s: %v; run make routes", path, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the route table: run make routes", path)
		}
	}
}

// TestPathRegexpAgreesWithMatch checks the expressions that the Traefik and
// NGINX files use against route.Match, on paths in several letter cases.
func TestPathRegexpAgreesWithMatch(t *testing.T) {
	paths := []string{
		"/Users", "/users", "/Users/", "/Users/2819c223", "/USERS/2819c223/",
		"/Users/.search", "/Users/a/b", "/ServiceProviderConfig", "/ResourceTypes/User",
		"/Schemas", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
		"/schemaDiscovery", "/Groups", "/groups/", "/Groups/e9e30dba", "/Groups/.search",
		"/Groups/a/b", "/",
	}
	methods := []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
	for _, method := range methods {
		for _, path := range paths {
			want := route.Discovery
			if matched, _, ok, _ := route.Match(method, path); ok {
				want = matched.Function
			}
			got := route.Discovery
			for _, r := range route.Table() {
				if r.Method == method && regexp.MustCompile(pathRegexp(r)).MatchString(BasePath+path) {
					got = r.Function
					break
				}
			}
			// route.Match never takes ".search" as an id, but the
			// expressions do, so GET, PUT, PATCH and DELETE of
			// /Users/.search and /Groups/.search are known to differ (see
			// pathRegexp).
			if strings.HasSuffix(strings.ToLower(path), "/.search") && method != "POST" {
				continue
			}
			if got != want {
				t.Errorf("%s %s: expressions pick %s, route.Match picks %s", method, BasePath+path, got, want)
			}
		}
	}
}

// TestHTTPRouteRuleLimit checks that the rules fill HTTPRoutes of at most
// maxHTTPRouteRules rules, with one rule per table route and the discovery
// rule.
func TestHTTPRouteRuleLimit(t *testing.T) {
	content, err := HTTPRoute()
	if err != nil {
		t.Fatal(err)
	}

	var rulesPerRoute []int
	for _, document := range strings.Split(string(content), "\n---\n") {
		if !strings.Contains(document, "\nkind: HTTPRoute\n") {
			continue
		}
		rulesPerRoute = append(rulesPerRoute, strings.Count(document, "\n    - matches:\n"))
	}

	wantRoutes := (len(route.Table()) + 1 + maxHTTPRouteRules - 1) / maxHTTPRouteRules
	if len(rulesPerRoute) != wantRoutes {
		t.Errorf("%d HTTPRoutes, want %d", len(rulesPerRoute), wantRoutes)
	}
	total := 0
	for i, rules := range rulesPerRoute {
		if rules > maxHTTPRouteRules {
			t.Errorf("HTTPRoute %d has %d rules, want at most %d", i+1, rules, maxHTTPRouteRules)
		}
		total += rules
	}
	if want := len(route.Table()) + 1; total != want {
		t.Errorf("%d rules in all HTTPRoutes, want %d: one per table route and the discovery rule", total, want)
	}
}

func TestIDMustBeLastSegment(t *testing.T) {
	_, _, err := idPrefix(route.Route{Method: "GET", Pattern: "/Users/{id}/manager", Function: route.UsersGet})
	if err == nil {
		t.Error("idPrefix accepted a pattern with {id} before the last segment")
	}
}

// TestNginxConfigSyntax runs nginx -t on the generated file, with a
// throwaway certificate in place of the files under TLSDir. It is skipped
// when nginx is not installed.
func TestNginxConfigSyntax(t *testing.T) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		t.Skip("nginx is not installed; install the Debian package nginx-light to run this check")
	}
	config, err := Nginx()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeSelfSignedCert(t, filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))

	// The logs and the pid file go to the temporary folder too, so that the
	// check needs no write access to /var/log or /run.
	text := strings.ReplaceAll(string(config), TLSDir, dir)
	text = strings.ReplaceAll(text, "/var/log/nginx", dir)
	text = strings.ReplaceAll(text, "/run/nginx.pid", filepath.Join(dir, "nginx.pid"))
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}

	out, err := exec.Command(nginx, "-t", "-q", "-p", dir, "-e", filepath.Join(dir, "startup-error.log"), "-c", path).CombinedOutput()
	if err != nil {
		t.Fatalf("nginx -t rejected the generated nginx.conf: %v\n%s", err, out)
	}
}

func writeSelfSignedCert(t *testing.T, certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: Host},
		DNSNames:     []string{Host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
}
