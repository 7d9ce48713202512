//go:build tools

// Package tools pins the command-line tools that the project's scripts run.
// It is a module of its own so that their dependencies stay out of the
// project's go.sum. Build faas-cli with
//
//	cd tools && go build -o ../bin/faas-cli github.com/openfaas/faas-cli
//
// because go install with a version fails: the Go module proxy returns 403
// for faas-cli's version list, which go install reads to check deprecation.
package tools

import (
	_ "github.com/openfaas/faas-cli"
)
