package gateway

import "testing"

func TestSplitFunctionPath(t *testing.T) {
	tests := []struct {
		path     string
		wantName string
		wantRest string
		wantOK   bool
	}{
		{"/function/scim-users-get/scim/Users/1", "scim-users-get", "/scim/Users/1", true},
		{"/function/scim-discovery", "scim-discovery", "/", true},
		{"/function/scim-discovery/", "scim-discovery", "/", true},
		{"/function/", "", "", false},
		{"/system/functions", "", "", false},
	}
	for _, tt := range tests {
		name, rest, ok := splitFunctionPath(tt.path)
		if name != tt.wantName || rest != tt.wantRest || ok != tt.wantOK {
			t.Errorf("splitFunctionPath(%q) = %q, %q, %v; want %q, %q, %v",
				tt.path, name, rest, ok, tt.wantName, tt.wantRest, tt.wantOK)
		}
	}
}
