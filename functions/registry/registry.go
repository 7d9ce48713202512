// Package registry maps every function of the route table to its Handle, for
// the programs that serve several functions from one build: the local server
// and the gateway tests' function server. Deployed images import one
// function package each and never this one.
package registry

import (
	discovery "github.com/scimfaas/scimfaas/functions/discovery"
	groupscreate "github.com/scimfaas/scimfaas/functions/groups-create"
	groupsdelete "github.com/scimfaas/scimfaas/functions/groups-delete"
	groupsget "github.com/scimfaas/scimfaas/functions/groups-get"
	groupslist "github.com/scimfaas/scimfaas/functions/groups-list"
	groupspatch "github.com/scimfaas/scimfaas/functions/groups-patch"
	groupsreplace "github.com/scimfaas/scimfaas/functions/groups-replace"
	userscreate "github.com/scimfaas/scimfaas/functions/users-create"
	usersdelete "github.com/scimfaas/scimfaas/functions/users-delete"
	usersget "github.com/scimfaas/scimfaas/functions/users-get"
	userslist "github.com/scimfaas/scimfaas/functions/users-list"
	userspatch "github.com/scimfaas/scimfaas/functions/users-patch"
	usersreplace "github.com/scimfaas/scimfaas/functions/users-replace"
	"github.com/scimfaas/scimfaas/shared/entrypoint"
	"github.com/scimfaas/scimfaas/shared/route"
)

// Handlers returns a new map from each function name to its Handle.
func Handlers() map[string]entrypoint.HandleFunc {
	return map[string]entrypoint.HandleFunc{
		route.UsersCreate:   userscreate.Handle,
		route.UsersGet:      usersget.Handle,
		route.UsersList:     userslist.Handle,
		route.UsersReplace:  usersreplace.Handle,
		route.UsersPatch:    userspatch.Handle,
		route.UsersDelete:   usersdelete.Handle,
		route.GroupsCreate:  groupscreate.Handle,
		route.GroupsGet:     groupsget.Handle,
		route.GroupsList:    groupslist.Handle,
		route.GroupsReplace: groupsreplace.Handle,
		route.GroupsPatch:   groupspatch.Handle,
		route.GroupsDelete:  groupsdelete.Handle,
		route.Discovery:     discovery.Handle,
	}
}
