# Which instances of a growing type the holder search follows: a few, spread over all of them, and
# for types the collector does not track (str, bytes, numpy arrays) drawn from the containers that
# hold most of them, so that a dict's new keys are not outvoted by the interpreter's own strings.

SAMPLES = 24


def _holder_samples(objs, order, tname, ours, keep, deadline, growth, grown=None):
    """(samples, via): type name -> up to SAMPLES instances; id(str key) -> the dict it is a key of
    (the one step up gc.get_referrers cannot see). `growth`: type name -> instances gained over the profile;
    a container holding at least a quarter of that many is one the growth may be in, if it grew since
    the first census (`grown`, grown.py; None: no record to tell)."""
    import gc

    wanted = set(order)
    names = {}
    found = keep({})
    via = keep({})
    for o in objs:
        t = type(o)
        n = names.get(t)
        if n is None:
            n = names[t] = tname(t)
        if n in wanted and id(o) not in ours:
            found.setdefault(n, keep([])).append(o)
    missing = wanted - set(found)
    tracked = set(found)  # drawn from gc.get_objects() in allocation order (the untracked pools are not)
    if missing and not deadline():
        _untracked(objs, missing, names, tname, ours, keep, deadline, growth or {}, found, via, grown)
    out = {}
    for n, insts in found.items():
        k = len(insts)
        if k <= SAMPLES:
            out[n] = keep(list(insts))
        elif n in tracked:
            out[n] = keep(_spread(insts))
        else:  # a pool from the containers that hold most of an untracked type: evenly spaced over it
            out[n] = keep([insts[int(i * (k - 1) / (SAMPLES - 1))] for i in range(SAMPLES)])
    found.clear()
    names.clear()
    return out, via


def _spread(insts):
    """SAMPLES instances of a tracked type, one from each of SAMPLES equal strata at a pseudo-random place
    in it. Evenly spaced indices follow any period in the allocation order: Records put alternately into
    two containers were sampled 21 to 3 from one of them (an even stride picks even indices)."""
    k = len(insts)
    x = k * 2654435761 % 4294967296 or 1  # a fixed seed per population: the same census, the same sample
    picks = []
    for i in range(SAMPLES):
        lo, hi = i * k // SAMPLES, (i + 1) * k // SAMPLES
        x = (x * 1103515245 + 12345) % 2147483648
        picks.append(insts[lo + (x >> 8) % max(1, hi - lo)])
    return picks


def _untracked(objs, missing, names, tname, ours, keep, deadline, growth, found, via, grown):
    # Untracked instances are never in gc.get_objects(): they are found as referents of tracked
    # objects. Where a few containers hold at least a quarter of the growth each (a dict whose keys
    # accumulate), the samples are theirs (the three biggest); otherwise an even sample of them all
    # finds those spread over many containers (a bytes attribute per instance). A str of the
    # interpreter's own (sys.stdlib_module_names) is as old as the process: never a grower's sample;
    # nor is a container that has not grown since the first census (an old table of literals).
    import gc, itertools, sys

    spaces = {id(getattr(m, "__dict__", None)) for m in list(sys.modules.values())}
    per = {n: keep({}) for n in missing}  # type -> id(container) -> count
    spread = {n: keep([]) for n in missing}  # an even sample of all, thinned as it fills
    stride = {n: 1 for n in missing}
    seen = {n: 0 for n in missing}
    extra = keep({})  # untracked dicts met on the way: id -> dict

    def count(o, rs):
        for r in rs:
            t = type(r)
            n = names.get(t)
            if n is None:
                n = names[t] = tname(t)
            if n in missing:
                c = per[n]
                c[id(o)] = c.get(id(o), 0) + 1
                seen[n] += 1
                if seen[n] % stride[n] == 0:
                    lst = spread[n]
                    lst.append(r)
                    if len(lst) >= 4096:
                        del lst[1::2]
                        stride[n] *= 2

    for o in objs:
        if deadline():
            break
        if id(o) in ours:
            continue
        rs = _referents(o, gc.get_referents)
        for r in rs:
            if type(r) is dict and id(r) not in extra and not gc.is_tracked(r):
                extra[id(r)] = r  # a dict of str and int only is untracked: a container all the same
                count(r, _referents(r, gc.get_referents))
        count(o, rs)
    for n in missing:
        counts = per[n]
        floor = max(10, growth.get(n, 0) // 4)
        # candidates: a namespace's names are not data (module dicts are left out)
        cand = {i for i, k in counts.items() if k >= floor and i not in spaces}
        big = keep([])
        if cand:  # the containers themselves, found again by id; those that grew since the first census
            for o in itertools.chain(objs, list(extra.values())):
                if id(o) in cand and (grown is None or grown(o)):
                    big.append((counts[id(o)], id(o), o))
        big.sort(key=lambda b: b[:2])
        big = keep([b[2] for b in big[-3:]])  # the three biggest (the tuples go: they would be referrers)
        pool = keep([]) if big else spread[n]  # the spread would outvote them with old instances
        if big and spread[n]:
            # the big containers may be old (a table of 256 one-byte bytes): the holder search tries
            # the even sample too, and keeps the answer whose holder has more entries
            found[n + "\0spread"] = spread[n]
        for o in big:
            pool.extend(x for x in _referents(o, gc.get_referents) if names.get(type(x)) == n)
            if isinstance(o, dict):  # its str keys: gc.get_referrers cannot see the dict from them
                for k in dict.keys(o):
                    if type(k) is str:
                        via[id(k)] = o
        if pool:
            found[n] = pool
        counts.clear()
        cand = big = None
    extra.clear()
