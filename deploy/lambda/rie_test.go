package lambda_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/scimfaas/scimfaas/shared/route"
)

// rieModule is the Runtime Interface Emulator release that the Go module
// proxy serves. It needs Go 1.26.6 or later.
const rieModule = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// rieTimeout bounds the emulator's start and each invocation.
const rieTimeout = 30 * time.Second

// buildTimeout bounds the emulator's install and the bootstrap's build. Both
// hit the build cache on a repeated run. With an empty build cache, the
// install took about 19 s on a 2-core machine.
const buildTimeout = 45 * time.Second

const rieToken = "rie-test-token"

// TestDiscoveryUnderEmulator runs the linux/amd64 bootstrap of
// scim-discovery under the Runtime Interface Emulator on 127.0.0.1 and
// invokes it with HTTP API v2 events, as API Gateway would.
func TestDiscoveryUnderEmulator(t *testing.T) {
	root := moduleRoot(t)
	dir := t.TempDir()

	emulator := installEmulator(t, dir)
	bootstrap := filepath.Join(dir, "bootstrap")
	goCommand(t, root, "build", "-tags", "lambda.norpc", "-o", bootstrap, "./deploy/lambda/cmd/"+route.Discovery)

	invokeURL := startEmulator(t, dir, emulator, bootstrap)

	t.Run("with token", func(t *testing.T) {
		resp := invoke(t, invokeURL, discoveryEvent("Bearer "+rieToken))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("statusCode = %d, want 200; body %s", resp.StatusCode, resp.Body)
		}
		if got := resp.MultiValueHeaders["Content-Type"]; !slices.Equal(got, []string{"application/scim+json"}) {
			t.Errorf("Content-Type = %q, want [application/scim+json]", got)
		}

		var config struct {
			Schemas []string `json:"schemas"`
			Patch   struct {
				Supported bool `json:"supported"`
			} `json:"patch"`
			Meta struct {
				ResourceType string `json:"resourceType"`
			} `json:"meta"`
		}
		if err := json.Unmarshal([]byte(resp.Body), &config); err != nil {
			t.Fatalf("body is not JSON: %v\n%s", err, resp.Body)
		}
		if !slices.Equal(config.Schemas, []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"}) {
			t.Errorf("schemas = %q, want the ServiceProviderConfig schema", config.Schemas)
		}
		if config.Meta.ResourceType != "ServiceProviderConfig" {
			t.Errorf("meta.resourceType = %q, want ServiceProviderConfig", config.Meta.ResourceType)
		}
		if !config.Patch.Supported {
			t.Error("patch.supported = false, want true")
		}
	})

	t.Run("without token", func(t *testing.T) {
		resp := invoke(t, invokeURL, discoveryEvent(""))
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("statusCode = %d, want 401; body %s", resp.StatusCode, resp.Body)
		}
		if got := resp.MultiValueHeaders["Www-Authenticate"]; len(got) == 0 {
			t.Errorf("MultiValueHeaders = %q, want a WWW-Authenticate header", resp.MultiValueHeaders)
		}
	})
}

// installEmulator installs aws-lambda-rie into dir and returns its path, or
// skips the test when the install fails, because the emulator comes from the
// Go module proxy and is not part of this module.
func installEmulator(t *testing.T, dir string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, "go", "install", rieModule)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("skipping: installing the Lambda Runtime Interface Emulator failed (%v), so the bootstrap cannot be run; the command was go install %s\n%s", err, rieModule, out)
	}
	return filepath.Join(dir, "aws-lambda-rie")
}

// goCommand runs the go tool in dir for linux/amd64 without cgo, as the
// Makefile's lambda target does, and fails the test when it fails.
func goCommand(t *testing.T, dir string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %q failed: %v\n%s", args, err, out)
	}
}

// startEmulator starts the emulator on two free loopback ports, waits until
// it accepts connections and returns the invoke URL. Cleanup stops the
// emulator, which kills the bootstrap it started.
func startEmulator(t *testing.T, dir, emulator, bootstrap string) string {
	t.Helper()
	emulatorAddress := freeAddress(t)
	runtimeAddress := freeAddress(t)

	var output bytes.Buffer
	cmd := exec.Command(emulator,
		"--runtime-interface-emulator-address", emulatorAddress,
		"--runtime-api-address", runtimeAddress,
		bootstrap)
	cmd.Dir = dir
	cmd.Stdout = &output
	cmd.Stderr = &output
	// The functions read their configuration on the first request. The
	// secret-file variables point into dir so that files on this machine
	// cannot replace the token, and scim-discovery never connects to Redis.
	missing := filepath.Join(dir, "no-such-file")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"SCIM_BEARER_TOKENS=" + rieToken,
		"SCIM_REDIS_URL=redis://127.0.0.1:6379/0",
		"SCIM_BEARER_TOKEN_FILE=" + missing,
		"SCIM_REDIS_PASSWORD_FILE=" + missing,
		"SCIM_BASE_URL=https://scim.example.com/scim",
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s failed: %v", emulator, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	t.Cleanup(func() {
		// On SIGTERM the emulator sends SIGKILL to the bootstrap and exits.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("emulator output:\n%s", output.String())
		}
	})

	deadline := time.Now().Add(rieTimeout)
	for attempt := 0; ; attempt++ {
		conn, err := net.DialTimeout("tcp", emulatorAddress, time.Second)
		if err == nil {
			conn.Close()
			break
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("emulator exited before it accepted connections: %v\n%s", err, output.String())
		default:
		}
		if time.Now().After(deadline) || attempt >= 300 {
			t.Fatalf("emulator did not accept connections on %s within %s: %v", emulatorAddress, rieTimeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "http://" + emulatorAddress + "/2015-03-31/functions/function/invocations"
}

// freeAddress returns a loopback address with a port that was free a moment
// ago.
func freeAddress(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port on 127.0.0.1 failed: %v", err)
	}
	defer listener.Close()
	return listener.Addr().String()
}

// discoveryEvent returns the HTTP API v2 event of GET
// /scim/ServiceProviderConfig, with an Authorization header unless
// authorization is empty.
func discoveryEvent(authorization string) events.APIGatewayV2HTTPRequest {
	event := events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "GET /scim/ServiceProviderConfig",
		RawPath:  "/scim/ServiceProviderConfig",
		Headers:  map[string]string{"accept": "application/scim+json"},
	}
	if authorization != "" {
		event.Headers["authorization"] = authorization
	}
	event.RequestContext.DomainName = "scim.example.com"
	event.RequestContext.RequestID = "rie-test-request"
	event.RequestContext.HTTP.Method = http.MethodGet
	event.RequestContext.HTTP.Path = event.RawPath
	return event
}

// invoke sends event to the emulator and decodes the function's result.
func invoke(t *testing.T, url string, event events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	payload, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}

	client := &http.Client{Timeout: rieTimeout}
	httpResp, err := client.Post(url, "application/json", bytes.NewReader(payload))
	if err != nil {
		t.Fatalf("invoking the function through the emulator failed: %v", err)
	}
	defer httpResp.Body.Close()

	body, err := io.ReadAll(io.LimitReader(httpResp.Body, 1<<20))
	if err != nil {
		t.Fatalf("reading the emulator's response failed: %v", err)
	}
	if httpResp.StatusCode != http.StatusOK {
		t.Fatalf("emulator returned HTTP %d, want 200 for a successful invocation; body %s", httpResp.StatusCode, body)
	}

	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("emulator returned a body that is not an HTTP API response: %v\n%s", err, body)
	}
	return resp
}
