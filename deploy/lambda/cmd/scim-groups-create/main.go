// Command scim-groups-create runs the scim-groups-create function on AWS Lambda
// behind an API Gateway HTTP API. Build it as the Makefile's lambda target does.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/scimfaas/scimfaas/deploy/lambda/adapter"
	function "github.com/scimfaas/scimfaas/functions/groups-create"
)

func main() {
	lambda.Start(adapter.Wrap(function.Handle))
}
