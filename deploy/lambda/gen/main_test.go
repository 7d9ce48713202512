package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/scimfaas/scimfaas/shared/route"
)

func TestTemplateUpToDate(t *testing.T) {
	committed, err := os.ReadFile("../template.yaml")
	if err != nil {
		t.Fatalf("reading deploy/lambda/template.yaml failed: %v; run make sam", err)
	}
	if !bytes.Equal(committed, Generate()) {
		t.Error("deploy/lambda/template.yaml differs from the route table; run make sam")
	}
}

// TestTemplateHasEveryRoute checks that each route appears as an event of
// its own function, so a generator bug cannot hide behind the drift test.
func TestTemplateHasEveryRoute(t *testing.T) {
	sections := functionSections(string(Generate()))

	for _, r := range route.Table() {
		section, ok := sections[LogicalID(r.Function)]
		if !ok {
			t.Errorf("template has no resource %s for function %s", LogicalID(r.Function), r.Function)
			continue
		}
		event := "Path: " + BasePath + r.Pattern + "\n            Method: " + r.Method + "\n"
		if !strings.Contains(section, event) {
			t.Errorf("resource %s has no HttpApi event for %s %s%s", LogicalID(r.Function), r.Method, BasePath, r.Pattern)
		}
	}
	for _, function := range route.Functions() {
		section := sections[LogicalID(function)]
		if !strings.Contains(section, "CodeUri: ../../build/lambda/"+function+"/\n") {
			t.Errorf("resource %s does not take its code from build/lambda/%s/", LogicalID(function), function)
		}
		if !strings.Contains(section, "FUNCTION_NAME: "+function+"\n") {
			t.Errorf("resource %s does not set FUNCTION_NAME to %s", LogicalID(function), function)
		}
	}
}

func TestTemplateHidesToken(t *testing.T) {
	template := string(Generate())
	want := "  ScimBearerTokens:\n    Type: String\n    NoEcho: true\n"
	if !strings.Contains(template, want) {
		t.Errorf("template lacks the NoEcho parameter ScimBearerTokens:\n%s", want)
	}
	if !strings.Contains(template, "SCIM_BEARER_TOKENS: !Ref ScimBearerTokens\n") {
		t.Error("template does not pass ScimBearerTokens to SCIM_BEARER_TOKENS")
	}
	if !strings.Contains(template, "SCIM_MAX_MEMBERS_RETURNED: \"25000\"\n") {
		t.Error("template does not keep group responses below the Lambda response size limit")
	}
}

func TestEventName(t *testing.T) {
	tests := []struct {
		method, pattern, want string
	}{
		{"GET", "/Users/{id}", "GetUsersId"},
		{"POST", "/Users/.search", "PostUsersSearch"},
		{"POST", "/Groups/.search", "PostGroupsSearch"},
		{"GET", "/ServiceProviderConfig", "GetServiceProviderConfig"},
		{"GET", "/schemaDiscovery/{id}", "GetSchemaDiscoveryId"},
	}
	for _, tt := range tests {
		if got := EventName(tt.method, tt.pattern); got != tt.want {
			t.Errorf("EventName(%q, %q) = %q, want %q", tt.method, tt.pattern, got, tt.want)
		}
	}
}

func TestEventNamesUnique(t *testing.T) {
	seen := map[string]route.Route{}
	for _, r := range route.Table() {
		name := EventName(r.Method, r.Pattern)
		if previous, ok := seen[name]; ok {
			t.Errorf("routes %s %s and %s %s share the event name %s", previous.Method, previous.Pattern, r.Method, r.Pattern, name)
		}
		seen[name] = r
	}
}

// functionSections splits the template's resources by logical id.
func functionSections(template string) map[string]string {
	sections := map[string]string{}
	_, resources, _ := strings.Cut(template, "\nResources:\n")
	for _, block := range strings.Split(resources, "\n\n") {
		id, _, _ := strings.Cut(strings.TrimSpace(block), ":")
		sections[id] = block + "\n"
	}
	return sections
}
