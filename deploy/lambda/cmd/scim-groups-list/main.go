// Command scim-groups-list runs the scim-groups-list function on AWS Lambda
// behind an API Gateway HTTP API. Build it as the Makefile's lambda target does.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/scimfaas/scimfaas/deploy/lambda/adapter"
	function "github.com/scimfaas/scimfaas/functions/groups-list"
)

func main() {
	lambda.Start(adapter.Wrap(function.Handle))
}
