# Developer entry points. `make run` and `make test` are all a new machine
# needs; both install nothing but Go modules, except that `make test`
# installs the Debian package redis-server when it is missing.

GO ?= go
REDIS_SERVER ?= redis-server

.PHONY: run test test-go redis-server shrinkwrap-check bench vet fmt-check routes generate

## run: serve every function locally on 127.0.0.1:8585 under /scim.
run:
	$(GO) build -o bin/scim-local ./deploy/local
	exec bin/scim-local

## test: formatting, vet, all Go tests against a real redis-server, and the
## OpenFaaS build contexts.
test: redis-server fmt-check vet test-go test-cluster shrinkwrap-check

test-go:
	$(GO) test -count=1 -timeout 10m ./...

## test-cluster: the Redis-backed tests again against a three-master Redis
## Cluster that the tests start on 127.0.0.1.
test-cluster:
	SCIM_TEST_REDIS=cluster $(GO) test -count=1 ./shared/store ./shared/resource ./shared/scimhttp ./tests/acceptance

vet:
	$(GO) vet ./...

fmt-check:
	@unformatted="$$(gofmt -l functions shared deploy tests template)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on:"; echo "$$unformatted"; exit 1; fi

## redis-server: install redis-server with apt-get when it is missing, and
## nginx-light, whose nginx -t checks the generated faasd configuration.
redis-server:
	@command -v $(REDIS_SERVER) >/dev/null 2>&1 || { \
		echo "redis-server not found; installing the Debian package redis-server"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	}
	@command -v nginx >/dev/null 2>&1 || command -v /usr/sbin/nginx >/dev/null 2>&1 || { \
		echo "nginx not found; installing the Debian package nginx-light"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 || { \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }; \
	}
	@$(REDIS_SERVER) --version

## shrinkwrap-check: build each OpenFaaS build context as its Dockerfile would.
shrinkwrap-check:
	bash deploy/openfaas/shrinkwrap-check.sh

## bench: measure list queries at 1,000 and 100,000 users against a real
## redis-server and write docs/benchmarks.md (takes a few minutes).
bench: redis-server
	@mkdir -p build docs
	$(GO) test -run '^$$' -bench 'IndexedLookup' -benchtime 3000x -count 10 ./tests/bench | tee build/bench.txt
	$(GO) test -run '^$$' -bench 'FullScanFilter' -benchtime 3x -count 3 ./tests/bench | tee -a build/bench.txt
	$(GO) test -run '^$$' -bench 'GroupLookup|MemberAdd|GroupGetWithoutMembers' -benchtime 2000x -count 10 ./tests/bench | tee -a build/bench.txt
	$(GO) test -run '^$$' -bench 'GroupGetAllMembers|GroupDelete' -benchtime 3x -count 3 ./tests/bench | tee -a build/bench.txt
	$(GO) run ./tests/bench/report -command "make bench" < build/bench.txt > docs/benchmarks.md
	@cat docs/benchmarks.md

## routes: write the Traefik, Gateway API and NGINX files in deploy/ from the
## route table in shared/route. deploy/routes/routes_test.go fails when they
## are out of date.
routes:
	$(GO) run ./deploy/routes/gen

## generate: write the OpenFaaS Function resources of stack.yml to
## deploy/openfaas/functions.yaml, with the default registry and tag.
## shrinkwrap-check fails when the file is out of date.
generate:
	@test -x bin/faas-cli || (cd tools && $(GO) build -o ../bin/faas-cli github.com/openfaas/faas-cli)
	env -u REGISTRY -u TAG bin/faas-cli generate -f stack.yml > deploy/openfaas/functions.yaml

.PHONY: config-doc

## config-doc: rewrite the configuration table in README.md, between its
## config-table markers, from the struct tags of shared/config.Config.
## deploy/configdoc/configtable fails its test when the table is out of date.
config-doc:
	$(GO) run ./deploy/configdoc

.PHONY: migrate-keys

## migrate-keys: move the Redis keys of the first key layout, where each
## resource type was its own hash tag, to the current one. Stop every
## function first; it reads the same SCIM_ variables as the functions.
migrate-keys:
	$(GO) run ./deploy/migrate

.PHONY: lambda sam

# One folder per function under deploy/lambda/cmd; a test in deploy/lambda
# checks that they match the route table.
LAMBDA_FUNCTIONS := $(notdir $(wildcard deploy/lambda/cmd/*))

## lambda: build each AWS Lambda function to build/lambda/<function>/bootstrap
## for linux/amd64, the x86_64 architecture that deploy/lambda/template.yaml
## declares.
lambda:
	@for fn in $(LAMBDA_FUNCTIONS); do \
		echo "build/lambda/$$fn/bootstrap"; \
		CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -tags lambda.norpc \
			-o build/lambda/$$fn/bootstrap ./deploy/lambda/cmd/$$fn || exit 1; \
	done

## sam: regenerate the SAM template deploy/lambda/template.yaml from the
## route table.
sam:
	$(GO) run ./deploy/lambda/gen -o deploy/lambda/template.yaml
