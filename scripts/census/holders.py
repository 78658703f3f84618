# Every holder of each growing type, as the user's code names it (edges.py reads the referrer graph,
# samples.py picks the instances to follow, paths.py turns steps into text). Up to 3 per type.

MAX_HOLDERS = 3
MIN_SHARE = 0.1  # a holder kept by fewer of the sampled instances than this is noise


def _holder_paths(objs, wanted, tname, max_seconds, exclude, warnings, growth=None, grown=None):
    """(paths, holders): for each wanted type, its first holder's text, and its holders, each a dict
    {path, share, bytes}: path as the user's code reads it (processor.image_processor._cache,
    train.py:main() local seen, scene.cameras[i]._cached_image, make_hook.<locals>.hook() captures
    seen, mod.load (lru_cache)) with the container described; share: of the sampled instances, those
    it keeps (an instance kept in two places counts for both); bytes: what the container keeps alive.
    grown(container): whether it has more entries than at the first census (grown.py); a holder after
    the first must have (old instances of the type sit in old containers too), None: no record."""
    import sys, os

    deadline = _deadline(max_seconds)  # the search; sizing the holders found gets 2 s more
    sizing = _deadline(max_seconds + 2)
    ours = set(exclude)  # ids of our own containers: they refer to target objects too

    def keep(x):
        ours.add(id(x))
        return x

    me = os.path.basename(sys._getframe().f_code.co_filename)
    lm = {}
    try:
        lm = _frame_locals({me, "leak_census.py", "leak_detective_hook.py", "<string>"})
    except Exception as e:
        warnings.append(f"function locals unreadable, holders in them are unnamed: {e!r}"[:300])
    prefetch, edges_up, forget = _holder_edges(ours, lm, warnings)
    order = list(dict.fromkeys(wanted))  # the growers in rank order: the first gets the time first
    samples, via = _holder_samples(objs, order, tname, ours, keep, deadline, growth, grown)
    find_paths = _path_finder(prefetch, edges_up, keep, deadline, via)
    paths, holders = {}, {}
    late = []  # types the time ran out before: said, not silently left unnamed
    for n in order:
        picks = samples.get(n)
        if deadline():  # (no picks either, where the time ran out while they were drawn)
            late.append(n)
            continue
        if not picks:
            continue
        try:
            chosen = _choose(picks, find_paths(picks), grown)
            other = samples.get(n + "\0spread")
            if other and not deadline():
                alt = _choose(other, find_paths(other), grown)
                if alt and (not chosen or _better(alt, chosen, grown)):
                    chosen = alt
        except Exception as e:
            warnings.append(f"the holder search for {n} failed: {e!r}"[:300])
            continue
        hs = []
        for (rank, text, holder), share in chosen:
            size = None
            try:
                size = _reach_bytes(holder, sizing, warnings)
                text = f"{text} ({_describe(holder, size)})"
            except Exception:
                pass
            hs.append({"path": text, "share": round(min(1.0, share), 3), "bytes": size})
        if hs:
            paths[n], holders[n] = hs[0]["path"], hs
        chosen = picks = None
    if late:
        warnings.append(f"the holder search ran out of its {max_seconds:g} s before {', '.join(late)}: their holders are unnamed"[:300])
    samples.clear()
    via.clear()
    forget()
    return paths, holders


def _choose(picks, found, grown=None):
    """The holders to name, largest share first: [((rank, text, holder), share)]. One entry per
    holding container, under its best name (an owner's attribute path before a bare alias, a path from
    a module global before one from a frame's local, then the shortest); containers before instances bound straight to a name (those do not accumulate). After
    the first, only containers that grew since the first census (grown: see _holder_paths)."""
    clusters = {}
    for inst, roots in zip(picks, found):
        mine = {}
        for root, steps in roots:
            text, holder, bare = _render(root, steps)
            if isinstance(holder, (tuple, frozenset)):
                continue  # immutable: nothing accumulates in it (sys.stdlib_module_names holds no new str)
            key = id(holder) if holder is not None else text
            # a path from a module global before one from a running frame's local, for the same
            # container: where the census lands (`ImageProcessor.__call__() local self → ._cache`) is
            # not where the code keeps it (`processor.image_processor._cache`)
            rank = (holder is None, bare, " local " in root, len(steps), len(text))
            if key not in mine or rank < mine[key][0]:
                mine[key] = (rank, text, holder if holder is not None else inst)
        for key, v in mine.items():
            c = clusters.get(key)
            if c is None:
                clusters[key] = [v, 1]
            else:
                c[1] += 1
                if v[0] < c[0][0]:
                    c[0] = v
    ranked = sorted(clusters.values(), key=lambda c: (c[0][0][0], -c[1], c[0][0]))
    containers = [c for c in ranked if not c[0][0][0] and c[1] >= max(1, MIN_SHARE * len(picks))]
    # the first stays as it is (scene.cameras[i]._cached_image: a list of 400 cameras that does not
    # grow, each camera's image does); the others must hold new instances, so they must have grown
    containers = containers[:1] + [c for c in containers[1:] if grown is None or grown(c[0][2])]
    containers = containers[:MAX_HOLDERS]
    clusters.clear()
    if not containers:
        return [(v, 1.0) for v, k in ranked[:1]]
    # shares among the instances these holders keep (the other samples are the type's old instances
    # kept elsewhere, each place too small to name): an instance kept in two places counts for both
    within = sum(1 for roots in found if any(_holds(r, containers) for r in roots))
    return [(v, k / max(within, k)) for v, k in containers]


def _holds(root, containers):
    holder = _render(*root)[1]
    return any(v[2] is holder for v, k in containers)


def _better(alt, chosen, grown):
    """Of two answers, the one whose first holder grew since the first census (where that is known:
    the even sample's answer named os.__all__, 358 old names, over a dict of 100 new keys), then the
    one whose first holder has more entries: that is what accumulates."""
    if grown is not None:
        a, c = _grew(alt, grown), _grew(chosen, grown)
        if a != c:
            return a
    return _entries(alt) > _entries(chosen)


def _grew(chosen, grown):
    (rank, text, holder), share = chosen[0]
    return not rank[0] and grown(holder)


def _entries(chosen):
    """Entries of the first holder chosen (-1 for an instance bound straight to a name)."""
    (rank, text, holder), share = chosen[0]
    return -1 if rank[0] else (_length(holder) or 0)
