package gateway

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scimfaas/scimfaas/tests/loopback"
)

// TestEntraThroughNginx runs the checked-in faasd NGINX configuration with
// TLS on loopback in front of the gateway emulator, and drives Entra ID's
// user requests through it as the on-premises provisioning agent would.
func TestEntraThroughNginx(t *testing.T) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		t.Skip("nginx is not installed; make test installs the Debian package nginx-light")
	}
	dir := t.TempDir()
	certPEM := writeCertificate(t, dir)

	addr, err := loopback.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	conf := faasdConfig(t, dir, addr)
	// Output stays detached, because the worker processes would keep the
	// test's output pipe open. nginx writes its errors to dir/error.log.
	cmd := exec.Command(nginx, "-c", conf, "-p", dir, "-g", "daemon off;")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	t.Cleanup(func() { stopNginx(t, cmd) })
	if err := loopback.WaitForPort(addr, startLimit); err != nil {
		t.Fatal(err)
	}

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	// The agent connects to the host name in the Tenant URL, so the client
	// dials loopback but verifies the certificate for scim.example.com.
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	https := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "scim.example.com", MinVersion: tls.VersionTLS12},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return dialer.DialContext(ctx, network, addr)
			},
		},
	}
	tenantURL := "https://scim.example.com:8585/scim"

	probe := callAt(t, https, tenantURL, http.MethodGet, "/Users"+filterQuery(`userName eq "8646d011-1a59-4fdf-8d7e-4a5e0e2b5a11"`), nil)
	expectStatus(t, probe, http.StatusOK)
	if probe.JSON["totalResults"] != float64(0) {
		t.Errorf("probe totalResults = %v, want 0", probe.JSON["totalResults"])
	}

	userName := "nginx_" + rand.Text()[:10]
	created := callAt(t, https, tenantURL, http.MethodPost, "/Users", entraUser(userName, "ext-"+userName))
	expectStatus(t, created, http.StatusCreated)
	id, _ := created.JSON["id"].(string)
	if !strings.HasPrefix(created.Header.Get("Location"), tenantURL+"/Users/") {
		t.Errorf("Location = %q, want it under %s", created.Header.Get("Location"), tenantURL)
	}

	found := callAt(t, https, tenantURL, http.MethodGet, "/Users"+filterQuery(`userName eq "`+strings.ToUpper(userName)+`"`), nil)
	if found.JSON["totalResults"] != float64(1) {
		t.Errorf("filter through nginx lost the query: %s", found.Raw)
	}

	disabled := callAt(t, https, tenantURL, http.MethodPatch, "/Users/"+id, map[string]any{
		"schemas":    []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "Replace", "path": "active", "value": "False"}},
	})
	expectStatus(t, disabled, http.StatusOK)
	if disabled.JSON["active"] != false {
		t.Errorf("active = %v, want false", disabled.JSON["active"])
	}

	group := callAt(t, https, tenantURL, http.MethodPost, "/Groups", map[string]any{
		"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "nginx group " + userName,
	})
	expectStatus(t, group, http.StatusCreated)
	groupID, _ := group.JSON["id"].(string)
	added := callAt(t, https, tenantURL, http.MethodPatch, "/Groups/"+groupID, map[string]any{
		"schemas":    []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "Add", "path": "members", "value": []any{map[string]any{"value": id}}}},
	})
	expectStatus(t, added, http.StatusNoContent)
	check := callAt(t, https, tenantURL, http.MethodGet, "/Groups"+filterQuery(`id eq "`+groupID+`" and members eq "`+id+`"`)+"&attributes=id", nil)
	if check.JSON["totalResults"] != float64(1) {
		t.Errorf("member reference check through nginx: %s", check.Raw)
	}
	expectStatus(t, callAt(t, https, tenantURL, http.MethodDelete, "/Groups/"+groupID, nil), http.StatusNoContent)

	deleted := callAt(t, https, tenantURL, http.MethodDelete, "/Users/"+id, nil)
	expectStatus(t, deleted, http.StatusNoContent)
	gone := callAt(t, https, tenantURL, http.MethodGet, "/Users/"+id, nil)
	expectSCIMError(t, gone, http.StatusNotFound)

	unrouted := callAt(t, https, tenantURL, http.MethodGet, "/Widgets", nil)
	expectSCIMError(t, unrouted, http.StatusNotFound)

	for _, path := range []string{"/system/functions", "/function/scim-users-get/scim/Users/x", "/ui/"} {
		req, err := http.NewRequest(http.MethodGet, "https://scim.example.com:8585"+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := https.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s through nginx = %d, want 404: the gateway's own routes must stay private", path, resp.StatusCode)
		}
	}
}

// faasdConfig writes a copy of deploy/faasd/nginx.conf that listens on addr,
// uses the test certificate, forwards to the gateway emulator and keeps its
// files in dir. Everything else is the checked-in configuration.
func faasdConfig(t *testing.T, dir, addr string) string {
	t.Helper()
	original, err := os.ReadFile(filepath.Join("..", "..", "deploy", "faasd", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	conf := string(original)
	for old, replacement := range map[string]string{
		"listen 8585 ssl;":               "listen " + addr + " ssl;",
		"/etc/nginx/tls/tls.crt":         filepath.Join(dir, "tls.crt"),
		"/etc/nginx/tls/tls.key":         filepath.Join(dir, "tls.key"),
		"http://127.0.0.1:8080/":         "http://" + gatewayAddr + "/",
		"pid /run/nginx.pid;":            "pid " + filepath.Join(dir, "nginx.pid") + ";",
		"/var/log/nginx/scim-access.log": filepath.Join(dir, "access.log"),
		"/var/log/nginx/scim-error.log":  filepath.Join(dir, "error.log"),
	} {
		if !strings.Contains(conf, old) {
			t.Fatalf("deploy/faasd/nginx.conf no longer contains %q; update this test", old)
		}
		conf = strings.ReplaceAll(conf, old, replacement)
	}
	conf = strings.Replace(conf, "http {", "http {\n    client_body_temp_path "+filepath.Join(dir, "body")+";\n    proxy_temp_path "+filepath.Join(dir, "proxy")+";", 1)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeCertificate writes a self-signed certificate for scim.example.com
// and its key to dir/tls.crt and dir/tls.key, and returns the certificate
// in PEM form.
func writeCertificate(t *testing.T, dir string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "scim.example.com"},
		DNSNames:              []string{"scim.example.com"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	if err := os.WriteFile(filepath.Join(dir, "tls.crt"), certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tls.key"), keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return certPEM
}

// stopNginx sends SIGTERM to the nginx master, which also ends its
// workers, and kills it when it has not exited within five seconds.
func stopNginx(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Error("nginx did not stop within 5s of SIGTERM")
	}
}
