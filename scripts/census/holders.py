# Where the instances of each growing type are kept, as the user's code names it (see edges.py).


def _holder_paths(objs, wanted, tname, max_seconds, exclude, warnings):
    """For each wanted type: where its instances are kept, written as the user's code reads, e.g.
    processor.image_processor._cache, train.py:main() local processor → .image_processor._cache,
    scene.cameras[i]._cached_image, make_hook.<locals>.hook() captures seen, or mod.load (lru_cache),
    with the size of the holding container including the data it keeps (tensors, arrays, bytes)."""
    import gc, sys, os, time, types, functools, collections

    deadline = time.perf_counter() + max_seconds
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
    lru_type = getattr(functools, "_lru_cache_wrapper", None)

    def find_paths(insts):
        """Breadth-first up the referrers of every sample at once (one heap scan per level) to the
        nearest root; per sample (root label, steps from the root down) or None."""
        states = []
        for inst in insts:
            # down: id(holder) -> the object it holds on the way to inst; how: its (kind, label)
            states.append(keep({"inst": inst, "down": keep({}), "how": {}, "level": keep([inst]), "seen": {id(inst)}, "found": None}))
        for _ in range(14):
            active = keep([st for st in states if st["level"] and st["found"] is None])
            if not active or time.perf_counter() > deadline:
                break
            prefetch([n for st in active for n in st["level"]])
            for st in active:
                nxt = keep([])
                for node in st["level"]:
                    for holder, kind, label in edges_up(node):
                        if holder is None:
                            steps = []
                            n = node
                            while n is not st["inst"]:
                                kd, lb = st["how"][id(n)]
                                child = st["down"][id(n)]
                                steps.append((n, kd, lb, child))
                                n = child
                            st["found"] = (label, steps)
                            break
                        if id(holder) in st["seen"]:
                            continue
                        st["seen"].add(id(holder))
                        st["down"][id(holder)] = node
                        st["how"][id(holder)] = (kind, label)
                        nxt.append(holder)
                    if st["found"] is not None or time.perf_counter() > deadline:
                        break
                st["level"] = nxt if len(st["seen"]) < 400 else []
        out = [st["found"] for st in states]
        for st in states:
            st.clear()
        return out

    def render(root, steps):
        text = root
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
        return text + body, holder

    def describe(c):
        if lru_type is not None and isinstance(c, lru_type):
            try:
                n = c.cache_info().currsize
            except Exception:
                n = None
            return f"lru_cache, {n} entries, {_fmt(_reach_bytes(c, deadline + 2, warnings))}"
        n = len(c) if isinstance(c, (dict, list, tuple, set, frozenset, collections.deque)) else None
        size = _fmt(_reach_bytes(c, deadline + 2, warnings))
        kind = type(c).__name__
        return f"{kind}, {n} items, {size}" if n is not None else f"{kind}, {size}"

    order = list(dict.fromkeys(wanted))  # the growers in rank order: the first gets the time first
    wanted = set(order)
    names = keep({})
    by_type = keep({})
    for o in objs:
        t = type(o)
        n = names.get(t)
        if n is None:
            n = names[t] = tname(t)
        if n in wanted and id(o) not in ours:
            by_type.setdefault(n, keep([])).append(o)

    def scan_untracked(missing):
        # Untracked types (numpy arrays, bytes) are never in gc.get_objects(): find them as referents.
        for o in objs:
            if time.perf_counter() > deadline:
                break
            if id(o) in ours:
                continue
            for r in gc.get_referents(o):
                t = type(r)
                n = names.get(t)
                if n is None:
                    n = names[t] = tname(t)
                if n in missing:
                    lst = by_type.setdefault(n, keep([]))
                    if len(lst) < 10_000 and not any(x is r for x in lst[-3:]):
                        lst.append(r)

    out = {}
    scanned = False
    for n in order:
        if time.perf_counter() > deadline:
            break
        if n not in by_type and not scanned:
            scanned = True
            scan_untracked(wanted - set(by_type))
        insts = by_type.get(n)
        if not insts:
            continue
        picks = [insts[int(i * (len(insts) - 1) / 11)] for i in range(12)] if len(insts) > 12 else list(insts)
        keep(picks)
        votes = {}
        holders = keep({})
        try:
            paths_found = find_paths(picks)
        except Exception as e:
            warnings.append(f"the holder search for {n} failed: {e!r}"[:300])
            paths_found = []
        for inst, found in zip(picks, paths_found):
            if found is None:
                continue
            text, holder = render(*found)
            # an instance in a container accumulates; one bound straight to a name does not
            votes[text] = votes.get(text, 0) + (1000 if holder is not None else 1)
            holders.setdefault(text, holder if holder is not None else inst)
        if votes:
            best = max(votes, key=lambda k: votes[k])
            try:
                out[n] = f"{best} ({describe(holders[best])})"
            except Exception:
                out[n] = best
        picks = None
    by_type.clear()
    names.clear()
    forget()
    return out
