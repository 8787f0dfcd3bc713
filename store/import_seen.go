package store

// taskIDSeen remembers the task IDs an import has read, with the position
// of each, to refuse a task_id that appears twice in the file. A million
// task IDs kept as strings cost about 100 MB of heap; most are UUIDs in
// Reelvault's own lower-case form, which are kept as their 16 bytes instead
// (about a third of that). Any other ID, an upper-case UUID included, is
// kept as its string, so two IDs are the same entry only if they are the
// same string.
type taskIDSeen struct {
	uuids map[[16]byte]int32
	other map[string]int32
}

func newTaskIDSeen() *taskIDSeen {
	return &taskIDSeen{uuids: map[[16]byte]int32{}, other: map[string]int32{}}
}

// add records id at position pos, or returns the position it was first
// recorded at.
func (s *taskIDSeen) add(id string, pos int) (first int, dup bool) {
	if u, ok := canonicalUUID(id); ok {
		if p, ok := s.uuids[u]; ok {
			return int(p), true
		}
		s.uuids[u] = int32(pos)
		return 0, false
	}
	if p, ok := s.other[id]; ok {
		return int(p), true
	}
	s.other[id] = int32(pos)
	return 0, false
}

// canonicalUUID parses a UUID in lower-case 8-4-4-4-12 form.
func canonicalUUID(s string) (u [16]byte, ok bool) {
	if len(s) != 36 {
		return u, false
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return u, false
			}
			i++
			continue
		}
		hi, ok1 := lowerHex(s[i])
		lo, ok2 := lowerHex(s[i+1])
		if !ok1 || !ok2 {
			return u, false
		}
		u[j] = hi<<4 | lo
		j++
		i += 2
	}
	return u, true
}

// lowerHex is the value of a lower-case hexadecimal digit.
func lowerHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
