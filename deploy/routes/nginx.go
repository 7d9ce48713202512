package routes

import (
	"fmt"
	"strings"

	"github.com/scimfaas/scimfaas/shared/route"
)

// TLSDir is the folder of the certificate and key in the NGINX file.
const TLSDir = "/etc/nginx/tls"

// Nginx renders a complete nginx.conf for a faasd host. It serves HTTPS on
// PublicPort, picks the function from the method and the path with a map
// whose regular expressions ignore letter case, and proxies to the faasd
// gateway at 127.0.0.1:GatewayPort with the original path and raw query.
// Only the base path is served, so the gateway's /system and /ui stay
// unpublished.
func Nginx() ([]byte, error) {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString(`# NGINX for a faasd host: the full nginx.conf, checked with nginx -t -c.

worker_processes auto;
pid /run/nginx.pid;

events {
    worker_connections 1024;
}

http {
    # The access log leaves out the query string, which can carry user names
    # in SCIM filters.
    log_format scim '$remote_addr [$time_local] "$request_method $uri" $status $body_bytes_sent $request_time';
    access_log /var/log/nginx/scim-access.log scim;
    error_log /var/log/nginx/scim-error.log warn;

    # Function for each "METHOD path", in route table order: the first
    # matching expression wins.
    map "$request_method $uri" $scim_fn {
        default ` + route.Discovery + `;
`)
	for _, r := range route.Table() {
		expression := strings.Replace(pathRegexp(r), "(?i)^", "^"+r.Method+" ", 1)
		fmt.Fprintf(&b, "        \"~*%s\" %s;\n", expression, r.Function)
	}
	fmt.Fprintf(&b, `    }

    server {
        listen %d ssl;
        server_name %s;

        ssl_certificate %s/tls.crt;
        ssl_certificate_key %s/tls.key;
        ssl_protocols TLSv1.2 TLSv1.3;

        # Above SCIM_MAX_BODY_SIZE (4 MiB by default), so that the function
        # rejects a large body with a SCIM error.
        client_max_body_size 5m;

        # The base path matches in any letter case, as route.Relative does.
        location ~* ^%s(/|$) {
            proxy_pass http://127.0.0.1:%d/function/$scim_fn$request_uri;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }

        # The gateway's /system, /ui and /function paths are not published.
        location / {
            return 404;
        }
    }
}
`, PublicPort, Host, TLSDir, TLSDir, BasePath, GatewayPort)
	return []byte(b.String()), nil
}
