"""leak-detective's census payload: runs INSIDE the target Python process (injected by leak-profile
through gdb and Py_AddPendingCall, or run by leak_detective_hook on a signal) and writes one JSON file.

It must never disturb the target: everything is wrapped in try/except BaseException (an exception
escaping a pending call would kill the training loop), it allocates as little as it can, and it walks
gc.get_referents() rather than iterating containers that C code may be filling. Its result (or its
error) goes into the one file leak-profile pre-created for it: see _write_result.

Arguments arrive in the global LD_ARGS (a dict): out (result path), mode ('full'|'cheap'|'auto'),
paths_for (type names whose holders to find), max_seconds (time bound for the holder search).
"""


def _leak_census(args):
    import gc, sys, time, os, json

    t0 = time.perf_counter()
    wall0 = time.time()
    getsizeof = sys.getsizeof
    np_ndarray = None
    torch_tensor = None
    if "numpy" in sys.modules:
        np_ndarray = getattr(sys.modules["numpy"], "ndarray", None)
    if "torch" in sys.modules:
        torch_tensor = getattr(sys.modules["torch"], "Tensor", None)

    def tname(t):
        mod = getattr(t, "__module__", "builtins")
        q = getattr(t, "__qualname__", t.__name__)
        return q if mod in ("builtins", "__main__") else f"{mod}.{q}"

    seen_storage = set()

    def data_bytes(o):
        # Array payloads live outside the object header: count them once per underlying buffer.
        try:
            if np_ndarray is not None and isinstance(o, np_ndarray):
                return 0  # numpy's __sizeof__ already includes the data of arrays that own it
            if torch_tensor is not None and isinstance(o, torch_tensor):
                st = o.untyped_storage()
                key = st.data_ptr()
                if key in seen_storage or o.device.type != "cpu":
                    return 0
                seen_storage.add(key)
                return st.nbytes()
        except Exception:
            return 0
        return 0

    objs = gc.get_objects()
    mode = args.get("mode", "auto")
    if mode == "auto":
        mode = "full" if len(objs) < 2_000_000 else "cheap"
    counts = {}
    nbytes = {}  # per type: own size plus the untracked objects reached only through it
    total_n = 0
    total_b = 0
    exclude = {id(objs), id(counts), id(nbytes), id(args)}

    def add(o, owner_type=None):
        nonlocal total_n, total_b
        t = type(o)
        try:
            b = getsizeof(o)
        except Exception:
            b = 0
        b += data_bytes(o)
        counts[t] = counts.get(t, 0) + 1
        nbytes[t] = nbytes.get(t, 0) + b
        if owner_type is not None:
            # a bytes payload inside an instance is also that instance's weight: rank by what it holds
            nbytes[owner_type] = nbytes.get(owner_type, 0) + b
        total_n += 1
        total_b += b

    untracked_seen = set()
    is_tracked = gc.is_tracked
    for o in objs:
        if id(o) in exclude:
            continue
        add(o)
        if mode != "full":
            continue
        # bytes/str/int and dicts/tuples of such are not GC-tracked: reach them through referents.
        stack = [r for r in gc.get_referents(o) if not is_tracked(r)]
        while stack:
            r = stack.pop()
            i = id(r)
            if i in untracked_seen:
                continue
            untracked_seen.add(i)
            add(r, type(o))
            if isinstance(r, (dict, tuple)):
                stack.extend(x for x in gc.get_referents(r) if not is_tracked(x))
    untracked_seen = None
    pause = time.perf_counter() - t0

    biggest = []
    for o in objs:
        if isinstance(o, (dict, list, set)) and id(o) not in exclude:
            try:
                n = len(o)
            except Exception:
                continue
            if n >= 100:
                biggest.append((n, type(o).__name__))
    biggest.sort(reverse=True)

    paths = {}
    wanted = set(args.get("paths_for") or [])
    if wanted:
        paths = _holder_paths(objs, wanted, tname, args.get("max_seconds", 3.0), exclude)

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
        "biggest_containers": biggest[:20],
        "paths": paths,
    }
    objs = None
    _write_result(args["out"], json.dumps(result))


def _write_result(out, text):
    # leak-profile pre-created `out` (ours, 0600) in a directory we cannot write: open it, never
    # create or follow a link; the final newline tells leak-profile the result is complete.
    import os
    fd = os.open(out, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")


def _holder_paths(objs, wanted, tname, max_seconds, exclude):
    """For each wanted type: the container holding recent instances, and the attribute path from a
    module global down to it, e.g. processor.image_processor._cache (dict, 663 items, 9.8 MB)."""
    import gc, sys, time, types

    deadline = time.perf_counter() + max_seconds
    module_dicts = {}
    for name, m in list(sys.modules.items()):
        d = getattr(m, "__dict__", None)
        if isinstance(d, dict):
            module_dicts[id(d)] = "" if name == "__main__" else name + "."
    frame_type = types.FrameType
    here = sys._getframe()

    def referrers(o):
        return [r for r in gc.get_referrers(o) if id(r) not in exclude and r is not here and not isinstance(r, frame_type)]

    def step_name(parent, child):
        if isinstance(parent, dict):
            for k, v in list(parent.items()):
                if v is child:
                    return k
        return None

    def owner_of(d):
        for r in referrers(d):
            if getattr(r, "__dict__", None) is d:
                return r
        return None

    def path_to(container):
        # climb: container <- attribute of owner <- ... <- module global
        names = []
        node = container
        for _ in range(12):
            if time.perf_counter() > deadline:
                break
            parent_found = False
            for r in referrers(node):
                if not isinstance(r, (dict, list, tuple, set)):
                    # Python 3.11+ keeps instance attributes inline: the object itself refers to them.
                    d = getattr(r, "__dict__", None)
                    key = step_name(d, node) if isinstance(d, dict) else None
                    if key is not None:
                        names.append(str(key))
                        node = r
                        parent_found = True
                        break
                    continue
                if isinstance(r, dict):
                    key = step_name(r, node)
                    if key is None:
                        continue
                    if id(r) in module_dicts:
                        names.append(module_dicts[id(r)] + str(key))
                        return ".".join(reversed(names))
                    owner = owner_of(r)
                    if owner is not None:
                        names.append(str(key))
                        node = owner
                        parent_found = True
                        break
            if not parent_found:
                break
        return ".".join(reversed(names)) if names else None

    def describe(c):
        try:
            n = len(c)
        except Exception:
            n = None
        size = sys.getsizeof(c)
        try:
            vals = c.values() if isinstance(c, dict) else c
            for v in vals:
                size += sys.getsizeof(v)
                for r in gc.get_referents(v):
                    if not gc.is_tracked(r):
                        size += sys.getsizeof(r)
        except Exception:
            pass
        mb = size / 1048576
        sz = f"{mb:.1f} MB" if mb >= 0.1 else f"{size / 1024:.1f} KB"
        return f"{type(c).__name__}, {n} items, {sz}" if n is not None else f"{type(c).__name__}, {sz}"

    out = {}
    by_type = {}  # type name -> [(instance, known holder or None)]
    for o in reversed(objs):  # most recent allocations tend to sit at the end
        n = tname(type(o))
        if n in wanted and len(by_type.setdefault(n, [])) < 5:
            by_type[n].append((o, None))
    missing = wanted - {n for n, v in by_type.items() if v}
    if missing:
        # Untracked types (numpy arrays, bytes) are never in gc.get_objects(): find them through the
        # containers that refer to them, which are then their holders.
        for o in reversed(objs):
            if time.perf_counter() > deadline or not missing:
                break
            if not isinstance(o, (list, dict, set, tuple)) or id(o) in exclude:
                continue
            for r in gc.get_referents(o):
                n = tname(type(r))
                if n in missing:
                    by_type.setdefault(n, []).append((r, o))
                    missing.discard(n)
                    break
    for n, sample in by_type.items():
        if time.perf_counter() > deadline:
            break
        ours = {id(sample), id(by_type)} | {id(pair) for pair in sample}  # our own bookkeeping refers to inst too
        for inst, known in sample:
            holder = known
            if holder is None:
                for h in referrers(inst):
                    if not isinstance(h, (dict, list, set, tuple)) or id(h) in ours or h is objs:
                        continue
                    if isinstance(h, dict) and h is getattr(inst, "__dict__", None):
                        continue
                    holder = h
                    break
            if holder is None:
                continue
            p = path_to(holder)
            if p:
                out[n] = f"{p} ({describe(holder)})"
                break
    return out


try:
    _leak_census(LD_ARGS)  # noqa: F821 (provided by the injector)
except BaseException as _e:  # never let anything escape into the target's main loop
    try:
        import json as _json
        _write_result(LD_ARGS["out"], _json.dumps({"error": repr(_e)}))  # noqa: F821
    except BaseException:
        pass
