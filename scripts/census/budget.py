# The growth budget's reading (docs/budget.md): run by the census before it allocates anything; returns
# plain numbers: glibc's allocator state (mallinfo2, or mallinfo where
# glibc is older than 2.33) and pymalloc's arenas. Cheap by design (bench/README.md §budget): no walk of
# objects, nothing printed into the target. Anything unavailable is left out, never guessed.


def _leak_budget(trim=False):
    """The allocators' state (and, with trim, what gc.collect() + malloc_trim(0) gave back); never raises."""
    import time
    t = time.perf_counter()
    try:
        out = _budget_read(trim)
    except Exception as e:  # the census goes on without a budget
        out = {"error": repr(e)[:200]}
    out["seconds"] = time.perf_counter() - t
    return out


def _budget_read(trim):
    import sys, ctypes

    out = {"allocated_blocks": sys.getallocatedblocks()}
    libc = None
    try:
        libc = ctypes.CDLL(None)
        ver = getattr(libc, "gnu_get_libc_version", None)
        if ver is not None:
            ver.restype = ctypes.c_char_p
            out["glibc"] = ver().decode()
    except Exception:
        pass
    if "glibc" in out:
        try:
            out["malloc"] = _budget_mallinfo(libc, ctypes)
        except Exception as e:
            out["malloc_error"] = repr(e)[:200]
    try:
        pm = _budget_pymalloc(libc, ctypes)
        if pm is not None:
            out["pymalloc"] = pm
    except Exception as e:
        out["pymalloc_error"] = repr(e)[:200]
    if trim:
        out["trim"] = _budget_trim(libc, ctypes, out)
    return out


def _budget_trim(libc, ctypes, before):
    """--trim (the user asked for it): gc.collect() then malloc_trim(0), with USS and mallinfo read
    before and after by the target itself, so nothing else runs between the readings."""
    import gc, time
    if "malloc" not in before or getattr(libc, "malloc_trim", None) is None:
        return {"error": "not glibc: malloc_trim is not available in this process"}
    r = {"uss_before": _budget_uss(), "malloc_before": before["malloc"]}
    t = time.perf_counter()
    r["gc_collected"] = gc.collect()
    r["uss_after_gc"] = _budget_uss()
    libc.malloc_trim.argtypes = [ctypes.c_size_t]
    r["released"] = libc.malloc_trim(0)
    r["seconds"] = time.perf_counter() - t
    r["uss_after"] = _budget_uss()
    r["malloc_after"] = _budget_mallinfo(libc, ctypes)
    return r


def _budget_uss():
    try:
        with open("/proc/self/smaps_rollup", "rb") as f:
            kb = 0
            for line in f:
                if line.startswith((b"Private_Clean:", b"Private_Dirty:", b"Private_Hugetlb:")):
                    kb += int(line.split()[1])
            return kb * 1024
    except Exception:
        return None


_BUDGET_MALLINFO_FIELDS = ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")


def _budget_mallinfo(libc, ctypes):
    fn = getattr(libc, "mallinfo2", None)
    kind = ctypes.c_size_t
    if fn is None:  # glibc < 2.33: int fields, which wrap past 2 GiB (noted in the result)
        fn, kind = libc.mallinfo, ctypes.c_int

    class Info(ctypes.Structure):
        _fields_ = [(f, kind) for f in _BUDGET_MALLINFO_FIELDS]

    fn.restype = Info
    fn.argtypes = []
    r = fn()
    info = {f: getattr(r, f) for f in ("arena", "hblkhd", "uordblks", "fordblks", "keepcost")}
    if kind is ctypes.c_int:
        info = {k: v % (1 << 32) for k, v in info.items()}
        info["wraps"] = True
    return info


def _budget_pymalloc(libc, ctypes):
    """pymalloc's arena figures, printed by CPython into an in-memory stream (never the target's
    stderr): the walk is over pools, not objects, so it costs little even on a big heap."""
    fn = getattr(ctypes.pythonapi, "_PyObject_DebugMallocStats", None)
    if fn is None or libc is None or not hasattr(libc, "open_memstream"):
        return None
    buf, size = ctypes.c_char_p(), ctypes.c_size_t()
    libc.open_memstream.restype = ctypes.c_void_p
    libc.open_memstream.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t)]
    f = libc.open_memstream(ctypes.byref(buf), ctypes.byref(size))
    if not f:
        return None
    fn.argtypes = [ctypes.c_void_p]
    fn.restype = ctypes.c_int
    try:
        printed = fn(f)
    finally:
        libc.fclose.argtypes = [ctypes.c_void_p]
        libc.fclose(f)
    text = ctypes.string_at(buf, size.value).decode("ascii", "replace") if buf else ""
    libc.free.argtypes = [ctypes.c_void_p]
    libc.free(ctypes.cast(buf, ctypes.c_void_p))
    if not printed:
        return None  # pymalloc is not in use (PYTHONMALLOC=malloc)
    nums = {}
    for line in text.splitlines():
        if "=" not in line:
            continue
        k, _, v = line.rpartition("=")
        try:
            nums[k.strip()] = int(v.strip().replace(",", ""))
        except ValueError:
            pass
    arenas = next((v for k, v in nums.items() if k.endswith("bytes/arena")), None)
    alloc = nums.get("# bytes in allocated blocks")
    avail = nums.get("# bytes in available blocks")
    pools = next((v for k, v in nums.items() if "unused pools" in k), 0)
    if arenas is None or alloc is None or avail is None:
        return None
    return {"arenas_bytes": arenas, "allocated_bytes": alloc, "free_bytes": avail + pools}
