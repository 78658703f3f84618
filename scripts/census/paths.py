# From a holder search's raw steps to what the user reads: the path as their code names it, and which
# container along it is the holder (the one that accumulates).


def _path_finder(prefetch, edges_up, keep, deadline, via):
    """find_paths(insts): breadth-first up the referrers of every sample at once (one heap scan per
    level); per sample, every root found within 3 levels of the nearest one (at most 6), each as
    (root label, steps from the root down). Several roots: an object kept in two places, or one
    container with two names (a local alias and an attribute path), sorted out by the caller. deadline(): true once the
    search's time is spent (base.py)."""

    def steps_to(st, node):
        steps = []
        n = node
        while n is not st["inst"]:
            kd, lb = st["how"][id(n)]
            child = st["down"][id(n)]
            steps.append((n, kd, lb, child))
            n = child
        return steps

    def find_paths(insts):
        states = []
        for inst in insts:
            # down: id(holder) -> the object it holds on the way to inst; how: its (kind, label)
            st = keep({"inst": inst, "down": keep({}), "how": {}, "level": keep([inst]), "seen": {id(inst)}, "found": keep([]), "first": None})
            d = via.get(id(inst))
            if d is not None:  # a str key: start one step up, at its dict
                st["down"][id(d)], st["how"][id(d)], st["level"], st["seen"] = inst, ("item", None), keep([d]), {id(inst), id(d)}
            states.append(st)
        for depth in range(14):
            active = keep([st for st in states if st["level"]])
            if not active or deadline():
                break
            prefetch([n for st in active for n in st["level"]])
            for st in active:
                nxt = keep([])
                for node in st["level"]:
                    for holder, kind, label in edges_up(node):
                        if holder is None:
                            if len(st["found"]) < 6:
                                st["found"].append((label, steps_to(st, node)))
                                if st["first"] is None:
                                    st["first"] = depth
                            continue
                        if id(holder) in st["seen"]:
                            continue
                        st["seen"].add(id(holder))
                        st["down"][id(holder)] = node
                        st["how"][id(holder)] = (kind, label)
                        nxt.append(holder)
                    if deadline():
                        break
                done = st["first"] is not None and depth - st["first"] >= 3 or len(st["found"]) >= 6
                st["level"] = nxt if len(st["seen"]) < 400 and not done else []
        out = [list(st["found"]) for st in states]
        for st in states:
            st.clear()
        return out

    return find_paths


def _render(root, steps):
    """(text, holder, bare): the path as code reads it, the container that holds (None: the instance
    is bound straight to a name), and whether the text is a bare alias of that container (a name
    with no owner: `local c`, where `processor.image_processor._cache` may name it too)."""
    holder = None
    cut = len(steps)
    best = -1
    for i in range(len(steps) - 1, -1, -1):  # trailing container steps: the holder, not the path
        if steps[i][1] not in ("item", "lru"):
            break
        n = _length(steps[i][0])  # of nested containers, the one with most entries accumulates
        if n is not None and n >= best:
            best, cut, holder = n, i, steps[i][0]
    if holder is None:
        for n, kind, label, child in reversed(steps):
            if kind in ("item", "lru"):
                holder = n
                break
    segs = []
    for n, kind, label, child in steps[:cut]:
        if kind == "attr":
            segs.append("." + label)
        elif kind == "item":
            if isinstance(n, dict) and type(label) in (str, int) and len(n) <= 20:
                segs.append(f"[{label!r}]")
            else:
                segs.append("[k]" if isinstance(n, dict) else "[i]")
        elif kind == "self":
            segs.append(".__self__")
        elif kind == "captures":
            segs.append(f" → {getattr(n, '__qualname__', '?')}() captures {label}")
    body = "".join(segs)
    if body.startswith(".") and " local " in root:
        body = " → " + body
    # a bare alias: the root names the holding container itself (`local c`, `c[k].data`)
    return root + body, holder, holder is not None and steps[0][0] is holder


def _describe(c, size):
    """What a holder is, for the text after its path: `dict, 40 items, 2.5 MB`."""
    import functools, collections

    lru_type = getattr(functools, "_lru_cache_wrapper", None)
    if lru_type is not None and isinstance(c, lru_type):
        try:
            n = c.cache_info().currsize
        except Exception:
            n = None
        return f"lru_cache, {n} entries, {_fmt(size)}"
    n = len(c) if isinstance(c, (dict, list, tuple, set, frozenset, collections.deque)) else None
    kind = type(c).__name__
    return f"{kind}, {n} items, {_fmt(size)}" if n is not None else f"{kind}, {_fmt(size)}"
