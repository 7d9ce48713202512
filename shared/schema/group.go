package schema

// Group is the core Group schema of RFC 7643 section 4.2. Its displayName is
// required here, because Entra ID matches groups by it.
var Group = &Schema{
	ID:          GroupURN,
	Name:        "Group",
	Description: "Group",
	Attributes: []*Attribute{
		{Name: "displayName", Type: TypeString, Required: true, Uniqueness: "server",
			Description: "A human-readable name for the group, unique without regard to letter case."},
		{Name: "members", Type: TypeComplex, MultiValued: true, Description: "The members of the group.",
			SubAttributes: []*Attribute{
				{Name: "value", Type: TypeString, Mutability: Immutable, Description: "The id of the member resource."},
				{Name: "$ref", Type: TypeReference, Mutability: Immutable, ReferenceTypes: []string{"User", "Group"},
					Description: "The URI of the member resource."},
				{Name: "display", Type: TypeString, Mutability: ReadOnly, Description: "The display name of the member."},
				{Name: "type", Type: TypeString, Mutability: Immutable, CanonicalValues: []string{"User", "Group"},
					Description: "The type of the member resource."},
			}},
	},
}

// GroupType is the Group resource type, served at /Groups.
var GroupType = &ResourceType{
	ID:          "Group",
	Name:        "Group",
	Endpoint:    "/Groups",
	Description: "Group",
	Schema:      Group,
}
