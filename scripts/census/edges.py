# The edges of the referrer graph, read upward: what keeps an object, and how the user's code names
# that step (an attribute, an item, a captured variable, a module global, a function's local).


def _holder_edges(ours, lm, warnings):
    """(prefetch, edges_up, forget): prefetch(nodes) reads the referrers of many nodes in one heap scan;
    edges_up(node) lists (holder, kind, label) for each object that keeps node, holder None being a
    root named by label; forget() drops the referrers read. `ours`: ids of the census's own containers (they refer to target objects
    too), grown as this module makes more; `lm`: id(value) -> 'file:func() local name'."""
    import gc, sys, types, functools, collections

    def keep(x):
        ours.add(id(x))
        return x

    module_dicts = {}
    for name, m in sorted(list(sys.modules.items()), key=lambda kv: kv[0] != "__main__"):
        d = getattr(m, "__dict__", None)
        if isinstance(d, dict) and id(d) not in module_dicts:  # __main__ before its alias __mp_main__
            module_dicts[id(d)] = "" if name == "__main__" else name + "."
    lru_type = getattr(functools, "_lru_cache_wrapper", None)
    seq_types = (list, tuple, set, frozenset, collections.deque)
    cell_type = getattr(types, "CellType", None) or type((lambda x: lambda: x)(0).__closure__[0])  # 3.7 has no CellType
    frame_type, fn_type, method_type = types.FrameType, types.FunctionType, types.MethodType

    refcache = keep({})  # id(node) -> the objects that refer to it

    def referrers(o):
        got = refcache.get(id(o))
        if got is None:
            got = refcache[id(o)] = keep([r for r in keep(gc.get_referrers(o)) if id(r) not in ours and not isinstance(r, frame_type)])
        return got

    def prefetch(nodes):
        # One scan of the heap for many nodes: gc.get_referrers walks every tracked object each call.
        keep(nodes)
        need = keep([n for n in nodes if id(n) not in refcache])
        if not need:
            return
        ids = {id(n) for n in need}
        for n in need:
            refcache[id(n)] = keep([])
        for r in keep(gc.get_referrers(*need)):
            if id(r) in ours or isinstance(r, frame_type):
                continue
            for x in gc.get_referents(r):
                if id(x) in ids:
                    lst = refcache[id(x)]
                    if not lst or lst[-1] is not r:
                        lst.append(r)

    def key_in(d, child):
        for k, v in list(d.items()):
            if v is child:
                return k, True
        return None, False

    def global_name(o):
        # classes and functions: named by their module global directly (their referrers are countless)
        mod = sys.modules.get(getattr(o, "__module__", None) or "")
        qn = getattr(o, "__qualname__", None)
        if mod is None or not isinstance(qn, str) or "<" in qn:
            return None
        x = mod
        for part in qn.split("."):
            ns = getattr(x, "__dict__", None)
            x = ns.get(part) if ns is not None else None
        if x is not o:
            return None
        return qn if mod.__name__ in ("__main__", "__mp_main__") else f"{mod.__name__}.{qn}"

    def instance_attr(r, child):
        try:
            d = object.__getattribute__(r, "__dict__")
        except Exception:
            d = None
        if isinstance(d, dict):
            k, found = key_in(d, child)
            if found:
                return str(k)
        for klass in type(r).__mro__:
            slots = klass.__dict__.get("__slots__", ())
            for s in (slots,) if isinstance(slots, str) else slots:
                try:
                    if object.__getattribute__(r, s) is child:
                        return s
                except Exception:
                    pass
        return None

    def edges_up(node):
        """(holder, kind, label) for each object that keeps node; holder None = a root named by label."""
        res = []
        if isinstance(node, (type, fn_type)) or (lru_type is not None and isinstance(node, lru_type)):
            g = global_name(node)  # where it is defined, even if a local also refers to it
            if g:
                return [(None, "root", g)]
            if isinstance(node, type):
                return res
        if id(node) in lm:
            # a function's local is a root, but not the end: the same container may also be an
            # attribute of an object (`c = processor.image_processor._cache`), which names it better
            res.append((None, "root", lm[id(node)]))
        if isinstance(node, cell_type):
            for tup in referrers(node):
                if isinstance(tup, tuple):
                    for f in referrers(tup):
                        if isinstance(f, fn_type) and f.__closure__ is tup:
                            i = next(j for j, c in enumerate(tup) if c is node)
                            res.append((f, "captures", f.__code__.co_freevars[i]))
            return res
        for r in referrers(node):
            if id(r) in module_dicts:
                k, found = key_in(r, node)
                if found:
                    res.append((None, "root", module_dicts[id(r)] + str(k)))
                continue
            if isinstance(r, dict):
                k, found = key_in(r, node)
                if not found:
                    if any(x is node for x in list(r)):  # a key: the dict keeps it as much as a value
                        res.append((r, "item", None))
                    continue
                owner = None
                for o in referrers(r):
                    if isinstance(o, type):
                        if o.__dict__.get(k) is node:  # a class attribute
                            owner = (o, "attr", str(k))
                    elif lru_type is not None and isinstance(o, lru_type):
                        owner = (o, "lru", "")
                    else:
                        try:
                            if object.__getattribute__(o, "__dict__") is r:
                                owner = (o, "attr", str(k))
                        except Exception:
                            pass
                    if owner:
                        break
                # an lru_cache's dict is one more container step (the wrapper holds the dict)
                res.append(owner if owner and owner[1] == "attr" else (r, "item", k))
            elif isinstance(r, seq_types):
                res.append((r, "item", None))
            elif isinstance(r, cell_type):
                res.append((r, "cell", None))
            elif isinstance(r, method_type):
                if r.__self__ is node:
                    res.append((r, "self", None))
            elif lru_type is not None and isinstance(r, lru_type):
                res.append((r, "lru", None))
            else:
                a = instance_attr(r, node)
                if a is not None:
                    res.append((r, "attr", a))
        return res

    return prefetch, edges_up, refcache.clear
