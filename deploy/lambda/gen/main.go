// Command gen writes the AWS SAM template of the Lambda deployment from the
// route table: one AWS::Serverless::Function per function, with one HttpApi
// event per route. Run it as `make sam`. A test fails when the committed
// deploy/lambda/template.yaml differs from its output.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/scimfaas/scimfaas/shared/route"
)

// BasePath is the path prefix of every SCIM route in the template. The event
// paths are fixed when SAM transforms the template, so it is written as a
// literal rather than a parameter, and SCIM_BASE_PATH is set to match.
const BasePath = "/scim"

func main() {
	output := flag.String("o", "", "file to write the template to; empty writes to standard output")
	flag.Parse()

	template := Generate()
	if *output == "" {
		_, err := os.Stdout.Write(template)
		exitOnError(err)
		return
	}
	exitOnError(os.WriteFile(*output, template, 0o644))
}

func exitOnError(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// Generate returns the SAM template for the functions and routes of
// route.Table.
func Generate() []byte {
	var b bytes.Buffer
	b.WriteString(header)

	for _, function := range route.Functions() {
		fmt.Fprintf(&b, "\n  %s:\n", LogicalID(function))
		b.WriteString("    Type: AWS::Serverless::Function\n")
		b.WriteString("    Properties:\n")
		// SAM resolves CodeUri against the template's folder, deploy/lambda.
		fmt.Fprintf(&b, "      CodeUri: ../../build/lambda/%s/\n", function)
		b.WriteString("      Environment:\n")
		b.WriteString("        Variables:\n")
		fmt.Fprintf(&b, "          FUNCTION_NAME: %s\n", function)
		b.WriteString("      Events:\n")

		for _, r := range route.Table() {
			if r.Function != function {
				continue
			}
			writeEvent(&b, EventName(r.Method, r.Pattern), BasePath+r.Pattern, r.Method)
		}
		// Discovery returns a SCIM error for every request that no route
		// matches. API Gateway picks the most specific route, so this greedy
		// route gets only what the other routes leave.
		if function == route.Discovery {
			writeEvent(&b, "Unrouted", BasePath+"/{proxy+}", "ANY")
		}
	}
	return b.Bytes()
}

func writeEvent(b *bytes.Buffer, name, path, method string) {
	fmt.Fprintf(b, "        %s:\n", name)
	b.WriteString("          Type: HttpApi\n")
	b.WriteString("          Properties:\n")
	b.WriteString("            ApiId: !Ref ScimApi\n")
	fmt.Fprintf(b, "            Path: %s\n", path)
	fmt.Fprintf(b, "            Method: %s\n", method)
}

// LogicalID returns the CloudFormation logical id of a function, such as
// ScimUsersGet for scim-users-get.
func LogicalID(function string) string {
	return pascalCase(strings.Split(function, "-"))
}

// EventName returns the SAM event name of a route, such as GetUsersId for
// GET /Users/{id} and PostUsersSearch for POST /Users/.search.
func EventName(method, pattern string) string {
	words := []string{strings.ToLower(method)}
	for _, segment := range strings.Split(strings.Trim(pattern, "/"), "/") {
		words = append(words, strings.Trim(segment, "{}."))
	}
	return pascalCase(words)
}

// pascalCase joins words with the first letter of each upper-cased and every
// character that is not a letter or digit dropped, because logical ids and
// event names must be alphanumeric.
func pascalCase(words []string) string {
	var b strings.Builder
	for _, word := range words {
		for i, r := range word {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				continue
			}
			if i == 0 {
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// header is the fixed part of the template: parameters, the settings that
// every function shares and the HTTP API.
const header = `# Generated from the route table in shared/route by ` + "`make sam`" + `
# (go run ./deploy/lambda/gen); edit the generator, not this file.
# Build the bootstraps first with ` + "`make lambda`" + `.
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: scimfaas, a SCIM 2.0 server, on AWS Lambda behind an API Gateway HTTP API.

Parameters:
  ScimBaseUrl:
    Type: String
    Description: Public SCIM base URL used for meta.location and Location, such as https://scim.example.com/scim.
  ScimRedisUrl:
    Type: String
    Description: Redis URL such as rediss://host:6379/0; the functions need a network path to it, such as a VPC configuration.
  ScimBearerTokens:
    Type: String
    NoEcho: true
    Description: Comma-separated bearer tokens that SCIM clients may send.

Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
    Architectures:
      - x86_64
    Timeout: 10
    Environment:
      Variables:
        SCIM_BASE_PATH: ` + BasePath + `
        SCIM_BASE_URL: !Ref ScimBaseUrl
        SCIM_REDIS_URL: !Ref ScimRedisUrl
        SCIM_BEARER_TOKENS: !Ref ScimBearerTokens
        # A synchronous Lambda response is at most 6 MB. make bench measures
        # about 170 bytes of JSON per group member, and the body is escaped
        # once more inside the Lambda response, so 25,000 members leave room.
        SCIM_MAX_MEMBERS_RETURNED: "25000"

Resources:
  ScimApi:
    Type: AWS::Serverless::HttpApi
`
