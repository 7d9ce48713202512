package schema

// URNs of the schemas and messages this server uses.
const (
	UserURN           = "urn:ietf:params:scim:schemas:core:2.0:User"
	EnterpriseUserURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	GroupURN          = "urn:ietf:params:scim:schemas:core:2.0:Group"
	SchemaURN         = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	ResourceTypeURN   = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	ServiceConfigURN  = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ListResponseURN   = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	PatchOpURN        = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	SearchRequestURN  = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	ErrorURN          = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// common holds the attributes that every resource has (RFC 7643 section 3.1).
// It is not served as a schema of its own.
var common = &Schema{
	ID: "common",
	Attributes: []*Attribute{
		{Name: "id", Type: TypeString, CaseExact: true, Mutability: ReadOnly, Returned: ReturnedAlways, Uniqueness: "server",
			Description: "Unique identifier of the resource, assigned by the service provider."},
		{Name: "externalId", Type: TypeString, CaseExact: true,
			Description: "Identifier of the resource in the provisioning client."},
		{Name: "meta", Type: TypeComplex, Mutability: ReadOnly, Description: "Resource metadata.",
			SubAttributes: []*Attribute{
				{Name: "resourceType", Type: TypeString, CaseExact: true, Mutability: ReadOnly},
				{Name: "created", Type: TypeDateTime, Mutability: ReadOnly},
				{Name: "lastModified", Type: TypeDateTime, Mutability: ReadOnly},
				{Name: "location", Type: TypeReference, CaseExact: true, Mutability: ReadOnly, ReferenceTypes: []string{"uri"}},
				{Name: "version", Type: TypeString, CaseExact: true, Mutability: ReadOnly},
			}},
	},
}

// multiValued returns the sub-attributes shared by most multi-valued
// attributes of the User schema: value, display, type and primary.
func multiValued(valueType string, types ...string) []*Attribute {
	return []*Attribute{
		{Name: "value", Type: valueType},
		{Name: "display", Type: TypeString},
		{Name: "type", Type: TypeString, CanonicalValues: types},
		{Name: "primary", Type: TypeBoolean},
	}
}

func str(name, description string) *Attribute {
	return &Attribute{Name: name, Type: TypeString, Description: description}
}

// User is the core User schema of RFC 7643 section 4.1.
var User = &Schema{
	ID:          UserURN,
	Name:        "User",
	Description: "User Account",
	Attributes: []*Attribute{
		{Name: "userName", Type: TypeString, Required: true, Uniqueness: "server",
			Description: "Unique identifier for the user, used to sign in. Compared without regard to letter case."},
		{Name: "name", Type: TypeComplex, Description: "The components of the user's name.",
			SubAttributes: []*Attribute{
				str("formatted", "The full name, formatted for display."),
				str("familyName", "The family name."),
				str("givenName", "The given name."),
				str("middleName", "The middle name."),
				str("honorificPrefix", "The honorific prefix, such as Ms."),
				str("honorificSuffix", "The honorific suffix, such as III."),
			}},
		str("displayName", "The name of the user, suitable for display."),
		str("nickName", "The casual name of the user."),
		{Name: "profileUrl", Type: TypeReference, ReferenceTypes: []string{"external"}, Description: "A URI of the user's online profile."},
		str("title", "The user's title, such as Vice President."),
		str("userType", "The relationship between the organization and the user, such as Employee."),
		str("preferredLanguage", "The user's preferred written or spoken language, as an Accept-Language value."),
		str("locale", "The user's default location, such as en-US."),
		str("timezone", "The user's time zone in IANA format, such as America/Los_Angeles."),
		{Name: "active", Type: TypeBoolean, Description: "The user's administrative status."},
		{Name: "password", Type: TypeString, Mutability: WriteOnly, Returned: ReturnedNever,
			Description: "The user's clear text password. It is accepted and never stored or returned."},
		{Name: "emails", Type: TypeComplex, MultiValued: true, Description: "Email addresses of the user.",
			SubAttributes: multiValued(TypeString, "work", "home", "other")},
		{Name: "phoneNumbers", Type: TypeComplex, MultiValued: true, Description: "Phone numbers of the user.",
			SubAttributes: multiValued(TypeString, "work", "home", "mobile", "fax", "pager", "other")},
		{Name: "ims", Type: TypeComplex, MultiValued: true, Description: "Instant messaging addresses of the user.",
			SubAttributes: multiValued(TypeString, "aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo")},
		{Name: "photos", Type: TypeComplex, MultiValued: true, Description: "URLs of photos of the user.",
			SubAttributes: multiValued(TypeReference, "photo", "thumbnail")},
		{Name: "addresses", Type: TypeComplex, MultiValued: true, Description: "Physical mailing addresses of the user.",
			SubAttributes: []*Attribute{
				str("formatted", "The full mailing address, formatted for display."),
				str("streetAddress", "The street address."),
				str("locality", "The city or locality."),
				str("region", "The state or region."),
				str("postalCode", "The postal code."),
				str("country", "The country, as an ISO 3166-1 alpha-2 code."),
				{Name: "type", Type: TypeString, CanonicalValues: []string{"work", "home", "other"}},
				{Name: "primary", Type: TypeBoolean},
			}},
		{Name: "groups", Type: TypeComplex, MultiValued: true, Mutability: ReadOnly,
			Description: "The groups the user belongs to, directly or through nested groups.",
			SubAttributes: []*Attribute{
				{Name: "value", Type: TypeString, Mutability: ReadOnly},
				{Name: "$ref", Type: TypeReference, Mutability: ReadOnly, ReferenceTypes: []string{"User", "Group"}},
				{Name: "display", Type: TypeString, Mutability: ReadOnly},
				{Name: "type", Type: TypeString, Mutability: ReadOnly, CanonicalValues: []string{"direct", "indirect"}},
			}},
		{Name: "entitlements", Type: TypeComplex, MultiValued: true, Description: "Entitlements of the user.",
			SubAttributes: multiValued(TypeString)},
		{Name: "roles", Type: TypeComplex, MultiValued: true, Description: "Roles of the user.",
			SubAttributes: multiValued(TypeString)},
		{Name: "x509Certificates", Type: TypeComplex, MultiValued: true, Description: "DER-encoded X.509 certificates of the user.",
			SubAttributes: multiValued(TypeBinary)},
	},
}

// EnterpriseUser is the Enterprise User extension of RFC 7643 section 4.3.
var EnterpriseUser = &Schema{
	ID:          EnterpriseUserURN,
	Name:        "EnterpriseUser",
	Description: "Enterprise User",
	Attributes: []*Attribute{
		str("employeeNumber", "Identifier of the user within the organization."),
		str("costCenter", "The name of a cost center."),
		str("organization", "The name of an organization."),
		str("division", "The name of a division."),
		str("department", "The name of a department."),
		{Name: "manager", Type: TypeComplex, Description: "The user's manager.",
			SubAttributes: []*Attribute{
				{Name: "value", Type: TypeString, Description: "The id of the manager's User resource."},
				{Name: "$ref", Type: TypeReference, ReferenceTypes: []string{"User"}, Description: "The URI of the manager's User resource."},
				{Name: "displayName", Type: TypeString, Mutability: ReadOnly, Description: "The manager's display name."},
			}},
	},
}

// UserType is the User resource type, served at /Users, with the Enterprise
// User extension.
var UserType = &ResourceType{
	ID:          "User",
	Name:        "User",
	Endpoint:    "/Users",
	Description: "User Account",
	Schema:      User,
	Extensions:  []Extension{{Schema: EnterpriseUser}},
}
