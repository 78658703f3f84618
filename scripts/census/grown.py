# Which containers grew since the first census. A holder of a grower's new instances has more entries
# now than then; an old table the type's old instances sit in has not (encodings._aliases, 326 str keys
# from start-up, was named beside a dict of new str keys when the growth was small: it passed the
# "quarter of the growth" floor and took a sixth of the samples). The first census records the entry
# count of every container of SIZES_MIN entries or more, by id; leak-profile hands them back to the
# holder census as a file of int64 pairs (id, entries) sorted by id, in the census channel.

SIZES_MIN = 16  # smaller containers are namespaces and records; one missing from the record is new or grew
SIZES_MAX = 200_000  # containers recorded at most (a training process has a few thousand)


def _sized_types():
    """The containers a holder can be (paths.py: an item or lru step), subclasses included."""
    import collections, functools

    lru = getattr(functools, "_lru_cache_wrapper", None)
    return (dict, list, set, collections.deque) + ((lru,) if lru is not None else ())


def _entries_of(c):
    """A container's entries as the interpreter counts them (never a class's own __len__, which may
    run the target's code or lie); None for anything else."""
    import collections

    if isinstance(c, dict):
        return dict.__len__(c)
    if isinstance(c, list):
        return list.__len__(c)
    if isinstance(c, set):
        return set.__len__(c)
    if isinstance(c, collections.deque):
        return collections.deque.__len__(c)
    if type(c).__name__ == "_lru_cache_wrapper":
        try:
            return c.cache_info().currsize
        except Exception:
            return None
    return None


def _record_sizes(objs, exclude, untracked):
    """[id, entries, id, entries, ...] for the tracked containers of SIZES_MIN entries or more, and the
    untracked dicts the census met (`untracked`: [id, entries] pairs already flat)."""
    kinds = _sized_types()
    exact = (dict, list, set)
    out = untracked
    for o in objs:
        t = type(o)
        if t in exact:
            n = len(o)  # the builtin's own len: most containers, the fast path
        elif isinstance(o, kinds):
            n = _entries_of(o)
        else:
            continue
        if n is not None and n >= SIZES_MIN and id(o) not in exclude:
                out.append(id(o))
                out.append(n)
                if len(out) >= 2 * SIZES_MAX:
                    break  # the rest count as grown: nothing is dropped for want of a record
    return out


def _load_sizes(path):
    """(ids, entries): the record leak-profile wrote (src/profile/python/take-census.ts, writeSizes),
    as two arrays of int64 (no Python int per container), ids ascending."""
    import array

    with open(path, "rb") as f:
        data = f.read(16 * SIZES_MAX + 1)
    pairs = array.array("q")
    if pairs.itemsize != 8 or len(data) % 16 or len(data) > 16 * SIZES_MAX:
        raise ValueError(f"{len(data)} bytes")
    pairs.frombytes(data)
    return pairs[0::2], pairs[1::2]


def _grown_since(path, warnings):
    """grown(container) -> bool: it has more entries than at the first census, or none were recorded
    for it (new since, or under SIZES_MIN then); None when there is no record to compare with. (A new
    container at the address of a freed bigger one reads as not grown: rare, and only after the first.)"""
    import bisect

    if not path:
        return None
    try:
        ids, then = _load_sizes(path)
    except Exception as e:
        warnings.append(f"the first census's container sizes unreadable, old holders may be named: {e!r}"[:300])
        return None

    def grown(c):
        i = bisect.bisect_left(ids, id(c))
        if i == len(ids) or ids[i] != id(c):
            return True
        n = _entries_of(c)
        return n is None or n > then[i]

    return grown
