#!/usr/bin/env bash
# Shrinkwraps the functions in stack.yml and runs the image build's checks on
# each build context without Docker: gofmt, go test in function/ and the
# handler build. Tests at the repository root cannot catch a broken template
# or copy list, because only a shrinkwrapped context puts handler.go at the
# root of the project module.
#
# Usage: deploy/openfaas/shrinkwrap-check.sh [faas-cli build flags]
# Extra arguments go to faas-cli build, for example --filter 'scim-users-*'.
# Each handler is built to build/<function>/handler, as in the image.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# faas-cli resolves ./template, ./build and the environment files from the
# working directory.
cd "$repo_root"

faas_cli="$repo_root/bin/faas-cli"
if [[ ! -x "$faas_cli" ]]; then
  echo "bin/faas-cli not found, so building it from tools/"
  (cd tools && go build -o ../bin/faas-cli github.com/openfaas/faas-cli)
fi

log_dir="$(mktemp -d)"
trap 'rm -rf "$log_dir"' EXIT

# deploy/openfaas/functions.yaml must be what faas-cli generate writes for
# stack.yml with the default registry and tag.
if ! env -u REGISTRY -u TAG "$faas_cli" generate -f stack.yml >"$log_dir/functions.yaml" 2>"$log_dir/generate.log"; then
  cat "$log_dir/generate.log"
  echo "FAIL: faas-cli generate -f stack.yml failed, see its output above" >&2
  exit 1
fi
if ! diff -u deploy/openfaas/functions.yaml "$log_dir/functions.yaml"; then
  echo "FAIL: deploy/openfaas/functions.yaml differs from faas-cli generate -f stack.yml: run make generate" >&2
  exit 1
fi
echo "ok    deploy/openfaas/functions.yaml matches stack.yml"

started=$SECONDS
if ! "$faas_cli" build --shrinkwrap -f stack.yml "$@" >"$log_dir/faas-cli.log" 2>&1; then
  cat "$log_dir/faas-cli.log"
  echo "FAIL: faas-cli build --shrinkwrap -f stack.yml $* failed, see its output above" >&2
  exit 1
fi

# The function names come from faas-cli's own output, so a --filter applies
# here too and stale folders under build/ from removed functions are skipped.
# faas-cli builds in map order, so the names are sorted for a stable report.
mapfile -t functions < <(
  sed -n 's|^\([a-z0-9-]*\) shrink-wrapped to \./build/\1/$|\1|p' "$log_dir/faas-cli.log" | sort
)
if [[ ${#functions[@]} -eq 0 ]]; then
  cat "$log_dir/faas-cli.log"
  echo "FAIL: faas-cli shrinkwrapped no function. Check stack.yml and the --filter value." >&2
  exit 1
fi

# The Dockerfile builds with cgo off, so the check does the same.
export CGO_ENABLED=0

# Runs the Dockerfile's checks in build/<function>/ and stores their output in
# the log directory. It prints the name of the step that failed.
check_function() {
  local name="$1"
  local context="build/$name"
  local log="$log_dir/$name.log"
  local unformatted

  unformatted="$(cd "$context" && gofmt -l . 2>&1)"
  if [[ -n "$unformatted" ]]; then
    printf 'gofmt -l listed these files or errors:\n%s\n' "$unformatted" >"$log"
    echo "gofmt -l"
    return 1
  fi
  if ! (cd "$context/function" && go test .) >"$log" 2>&1; then
    echo "go test"
    return 1
  fi
  if ! (cd "$context" && go build -o handler .) >>"$log" 2>&1; then
    echo "go build"
    return 1
  fi
}

# Every function is checked even after a failure, so one run lists all the
# broken build contexts.
failed=0
for name in "${functions[@]}"; do
  function_started=$SECONDS
  if failed_step="$(check_function "$name")"; then
    printf 'ok    %-20s %3ds  build/%s/handler\n' "$name" $((SECONDS - function_started)) "$name"
  else
    printf 'FAIL  %-20s %3ds  %s failed in build/%s:\n' \
      "$name" $((SECONDS - function_started)) "$failed_step" "$name"
    sed 's/^/      /' "$log_dir/$name.log"
    failed=$((failed + 1))
  fi
done

noun=functions
if [[ ${#functions[@]} -eq 1 ]]; then
  noun=function
fi
echo "checked ${#functions[@]} $noun in $((SECONDS - started))s, $failed failed"
if [[ $failed -gt 0 ]]; then
  exit 1
fi
