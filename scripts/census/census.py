# The census itself: objects and bytes per type, tensors and arrays counted once, then holders.


def _leak_census(args):
    import gc, sys, time, os, json
    import ctypes, functools, collections, types  # noqa: F401 (imported before counting: a first import is not growth)

    t0 = time.perf_counter()
    wall0 = time.time()
    budget = _leak_budget(args.get("trim"))  # the allocators' state before the census allocates (budget.py)
    # The budget's ctypes calls leave garbage cycles (a CDLL's _FuncPtr class, the mallinfo Structure):
    # collect the young generations so our own garbage is not counted as the target's growth (a stable
    # target read +238 tuples over three censuses without this).
    gc.collect(1)
    getsizeof = sys.getsizeof
    warnings = []
    sizer = _data_sizer(warnings)

    def tname(t):
        mod = getattr(t, "__module__", "builtins")
        q = getattr(t, "__qualname__", t.__name__)
        return q if mod in ("builtins", "__main__") else f"{mod}.{q}"

    objs = gc.get_objects()
    mode = args.get("mode", "auto")
    if mode == "auto":
        mode = "full" if len(objs) < 2_000_000 else "cheap"
    counts = {}
    nbytes = {}  # per type: own size plus the untracked objects reached only through it
    graph = {}  # per type: the part of nbytes that is saved tensors of autograd graphs
    total_n = 0
    total_b = 0
    exclude = {id(objs), id(counts), id(nbytes), id(graph), id(args), id(warnings)}

    def add(o, owner_type=None):
        nonlocal total_n, total_b
        t = type(o)
        try:
            b = getsizeof(o)
        except Exception:
            b = 0
        b += sizer["data"](o)[0]
        counts[t] = counts.get(t, 0) + 1
        nbytes[t] = nbytes.get(t, 0) + b
        if owner_type is not None:
            # a bytes payload inside an instance is also that instance's weight: rank by what it holds
            nbytes[owner_type] = nbytes.get(owner_type, 0) + b
        total_n += 1
        total_b += b

    # ids of untracked objects already counted; a set of ints is the census's biggest allocation, so
    # it is emptied as soon as the walk ends (see _give_back)
    # Autograd graphs first: a step's activations are kept by C++ graph nodes (reached only through
    # grad_fn), and the preserved Python tensors of the same storages would otherwise take them.
    for o in objs:
        if sizer["is_tensor"](type(o)) and id(o) not in exclude:
            g = sizer["graph"](o)
            if g:
                t = type(o)
                graph[t] = graph.get(t, 0) + g
                nbytes[t] = nbytes.get(t, 0) + g
                total_b += g
    untracked_seen = set()
    exclude.add(id(untracked_seen))
    # the first census records its containers' sizes (grown.py): a later holder must have grown since
    sizes = [] if args.get("sizes") else None
    is_tracked, referents = gc.is_tracked, gc.get_referents
    skip_type = sizer["is_graph_node"]
    for o in objs:
        if id(o) in exclude or skip_type(type(o)):
            continue
        add(o)
        if mode != "full":
            continue
        # bytes/str/int and dicts/tuples of such are not GC-tracked: reach them through referents.
        stack = [r for r in _referents(o, referents) if not is_tracked(r)]
        while stack:
            r = stack.pop()
            i = id(r)
            if i in untracked_seen:
                continue
            untracked_seen.add(i)
            add(r, type(o))
            if sizes is not None and type(r) is dict and len(r) >= SIZES_MIN:
                sizes.extend((i, len(r)))  # an untracked dict (str keys, int values): gc.get_objects() has it not
            if isinstance(r, (dict, tuple)):
                stack.extend(x for x in _referents(r, referents) if not is_tracked(x))
        stack = None
    untracked_seen.clear()
    untracked_seen = None
    if sizes is not None:
        sizes = _record_sizes(objs, exclude, sizes)
    device = sizer["device"]()
    sizer["close"]()
    pause = time.perf_counter() - t0

    biggest = []
    for o in objs:
        if type(o) in (dict, list, set) and id(o) not in exclude:
            try:
                n = len(o)
            except Exception:
                continue
            if n >= 100:
                biggest.append((n, type(o).__name__))
    biggest.sort(reverse=True)

    paths, holders = {}, {}
    wanted = list(args.get("paths_for") or [])
    if wanted:
        try:
            grown = _grown_since(args.get("sizes_from"), warnings)
            paths, holders = _holder_paths(objs, wanted, tname, args.get("max_seconds", 3.0), exclude, warnings, args.get("growth"), grown)
        except Exception as e:  # a failed holder search leaves the census itself intact
            warnings.append(f"the holder search failed inside the target: {e!r}")

    result = {
        "version": 1,
        "pid": os.getpid(),
        "python": sys.version.split()[0],
        "mode": mode,
        "time": wall0,
        "pause_s": pause,
        "total_s": time.perf_counter() - t0,
        "objects": total_n,
        "bytes": total_b,
        "types": {tname(t): [counts[t], nbytes[t]] for t in counts},
        "autograd": {tname(t): graph[t] for t in graph},
        "biggest_containers": biggest[:20],
        "paths": paths,
        "holders": holders,
        "warnings": warnings,
        "budget": budget,
    }
    if device is not None:
        result["device"] = device
    if sizes is not None:
        result["sizes"] = sizes
    objs = counts = nbytes = graph = sizes = None
    result["census_rss_kb"] = _give_back()
    _write_result(args["out"], json.dumps(result))
