package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"
)

// memberScanCount is the COUNT hint of each HSCAN call that reads a group's
// members, which bounds the work of one call on the Redis server.
const memberScanCount = 1000

// ErrTooManyMembers means a group has more members than a read allows.
var ErrTooManyMembers = errors.New("group has more members than the limit")

// MemberCount returns the number of direct members of a group; 0 for a
// group without members or one that does not exist.
func (s *Redis) MemberCount(ctx context.Context, groupID string) (int64, error) {
	n, err := s.client.HLen(ctx, s.membersKey(groupID)).Result()
	if err != nil {
		return 0, fmt.Errorf("count members of %s: %w", groupID, err)
	}
	return n, nil
}

// Members returns the direct members of a group sorted by id, reading them
// in steps so that no single Redis call blocks the server for long. It
// returns ErrTooManyMembers, without reading them, when the group has more
// than limit members.
func (s *Redis) Members(ctx context.Context, groupID string, limit int64) ([]Member, error) {
	total, err := s.MemberCount(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if total > limit {
		return nil, fmt.Errorf("%w: %d members, limit %d", ErrTooManyMembers, total, limit)
	}

	members := make([]Member, 0, total)
	var cursor uint64
	for {
		var fields []string
		fields, cursor, err = s.client.HScan(ctx, s.membersKey(groupID), cursor, "", memberScanCount).Result()
		if err != nil {
			return nil, fmt.Errorf("read members of %s: %w", groupID, err)
		}
		for i := 0; i+1 < len(fields); i += 2 {
			members = append(members, decodeMember(fields[i], fields[i+1]))
		}
		if int64(len(members)) > 2*limit+memberScanCount {
			// Repeated entries cannot explain this many, so the group grew
			// while it was read; stopping bounds the memory this read uses.
			return nil, fmt.Errorf("%w: the group grew past %d members while it was read", ErrTooManyMembers, limit)
		}
		if cursor == 0 {
			break
		}
	}

	// HSCAN may return an entry more than once while the hash is resized.
	slices.SortFunc(members, func(a, b Member) int { return strings.Compare(a.ID, b.ID) })
	members = slices.CompactFunc(members, func(a, b Member) bool { return a.ID == b.ID })
	if int64(len(members)) > limit {
		return nil, fmt.Errorf("%w: the group grew past %d members while it was read", ErrTooManyMembers, limit)
	}
	return members, nil
}

// MembersAmong returns, for each group, which of the ids are its direct
// members, in one round trip. Groups that contain none of them are left out.
func (s *Redis) MembersAmong(ctx context.Context, groupIDs, ids []string) (map[string][]Member, error) {
	if len(groupIDs) == 0 || len(ids) == 0 {
		return nil, nil
	}
	pipe := s.client.Pipeline()
	cmds := make([]*redis.SliceCmd, len(groupIDs))
	for i, group := range groupIDs {
		cmds[i] = pipe.HMGet(ctx, s.membersKey(group), ids...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("read members of %d groups: %w", len(groupIDs), err)
	}
	out := map[string][]Member{}
	for i, cmd := range cmds {
		for j, value := range cmd.Val() {
			if entry, ok := value.(string); ok {
				out[groupIDs[i]] = append(out[groupIDs[i]], decodeMember(ids[j], entry))
			}
		}
	}
	return out, nil
}

// GroupsOf returns, for each id, the groups that hold it directly, with
// their display names, sorted by group id. It takes two round trips
// whatever the number of ids.
func (s *Redis) GroupsOf(ctx context.Context, ids []string) (map[string][]Member, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := s.client.Pipeline()
	cmds := make([]*redis.StringSliceCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.SMembers(ctx, s.memberOfKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("read groups of %d resources: %w", len(ids), err)
	}

	names := map[string]*redis.StringCmd{}
	pipe = s.client.Pipeline()
	for _, cmd := range cmds {
		for _, group := range cmd.Val() {
			if names[group] == nil {
				names[group] = pipe.HGet(ctx, s.recordKey(GroupType, group), "n")
			}
		}
	}
	if len(names) > 0 {
		// A group deleted between the two round trips has no name. It is
		// still listed, because the set read first contained it.
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("read names of %d groups: %w", len(names), err)
		}
	}

	out := make(map[string][]Member, len(ids))
	for i, cmd := range cmds {
		groups := cmd.Val()
		if len(groups) == 0 {
			continue
		}
		slices.Sort(groups)
		list := make([]Member, 0, len(groups))
		for _, group := range groups {
			list = append(list, Member{ID: group, Type: GroupType, Display: names[group].Val()})
		}
		out[ids[i]] = list
	}
	return out, nil
}

// GroupIDsOf returns the ids of the groups that hold id directly, in no
// particular order.
func (s *Redis) GroupIDsOf(ctx context.Context, id string) ([]string, error) {
	groups, err := s.client.SMembers(ctx, s.memberOfKey(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("read groups of %s: %w", id, err)
	}
	return groups, nil
}

func decodeMember(id, entry string) Member {
	memberType, display, _ := strings.Cut(entry, ":")
	return Member{ID: id, Type: memberType, Display: display}
}
