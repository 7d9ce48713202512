package gateway

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/scimfaas/scimfaas/shared/route"
	"github.com/scimfaas/scimfaas/tests/loopback"
	"github.com/scimfaas/scimfaas/tests/redisserver"
)

const (
	token = "gateway-test-token"
	// publicBaseURL is the SCIM_BASE_URL of every function. It differs from
	// the loopback address the test uses, so a Location built from the Host
	// header instead of the configuration shows up.
	publicBaseURL = "https://scim.example.com:8585/scim"
	basePath      = "/scim"
	startLimit    = 20 * time.Second
)

var (
	// edgeURL is the SCIM base URL that clients of the tests use.
	edgeURL string
	// gw is the gateway emulator between the edge and the functions.
	gw *Gateway
	// gatewayAddr is the host:port of the gateway emulator, where a faasd
	// host's NGINX would find the OpenFaaS gateway.
	gatewayAddr string
	// functionLogs maps each function name to the file that holds its
	// standard error, which carries its JSON access log.
	functionLogs = map[string]string{}
)

func TestMain(m *testing.M) {
	code, err := runWithFunctions(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gateway test setup:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// runWithFunctions starts redis-server, one process per function of the
// route table, the gateway emulator and the edge router, runs the tests and
// stops every process it started.
func runWithFunctions(m *testing.M) (int, error) {
	redis, err := redisserver.Launch()
	if err != nil {
		return 0, err
	}
	defer redis.Stop()

	dir, err := os.MkdirTemp("", "scim-gateway-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)

	binary := filepath.Join(dir, "functionserver")
	build := exec.Command("go", "build", "-o", binary, "github.com/scimfaas/scimfaas/tests/gateway/cmd/functionserver")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return 0, fmt.Errorf("build the function server: %w", err)
	}

	upstreams := map[string]*url.URL{}
	for _, name := range route.Functions() {
		process, addr, err := startFunction(binary, dir, name, redis.URL())
		if err != nil {
			return 0, err
		}
		defer stopProcess(process)
		upstreams[name] = &url.URL{Scheme: "http", Host: addr}
	}
	for name, upstream := range upstreams {
		if err := loopback.WaitForPort(upstream.Host, startLimit); err != nil {
			return 0, fmt.Errorf("function %s: %w", name, err)
		}
	}

	gw = NewGateway(upstreams)
	gatewayServer := httptest.NewServer(gw)
	defer gatewayServer.Close()
	gatewayURL, err := url.Parse(gatewayServer.URL)
	if err != nil {
		return 0, err
	}
	gatewayAddr = gatewayURL.Host

	edgeServer := httptest.NewServer(NewEdge(basePath, gatewayURL))
	defer edgeServer.Close()
	edgeURL = edgeServer.URL + basePath

	return m.Run(), nil
}

// startFunction runs the function server for one function on a free
// loopback port with its standard error in dir/<name>.log.
func startFunction(binary, dir, name, redisURL string) (*exec.Cmd, string, error) {
	addr, err := loopback.FreeAddr()
	if err != nil {
		return nil, "", err
	}
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	defer logFile.Close()

	cmd := exec.Command(binary, "-function", name)
	// Only the variables below, so that settings of the calling shell, such
	// as REDIS_URL, cannot change the result.
	cmd.Env = []string{
		"FUNCTION_NAME=" + name,
		"SCIM_ENTRYPOINT_ADDR=" + addr,
		"SCIM_BASE_PATH=" + basePath,
		"SCIM_BASE_URL=" + publicBaseURL,
		"SCIM_BEARER_TOKENS=" + token,
		"SCIM_BEARER_TOKEN_FILE=" + filepath.Join(dir, "missing-token-file"),
		"SCIM_REDIS_URL=" + redisURL,
		"SCIM_REDIS_PASSWORD_FILE=" + filepath.Join(dir, "missing-password-file"),
		"SCIM_LOG_LEVEL=info",
	}
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start function %s: %w", name, err)
	}
	functionLogs[name] = logPath
	return cmd, addr, nil
}

// stopProcess kills the process that cmd started, by its pid, and waits for
// it to exit.
func stopProcess(cmd *exec.Cmd) {
	if cmd.Process == nil || cmd.ProcessState != nil {
		return
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
}

// client has a timeout so that a hung function fails the test instead of
// blocking it.
var client = &http.Client{Timeout: 10 * time.Second}
