"""leak-detective's census payload: runs INSIDE the target Python process (injected by leak-profile
through gdb and Py_AddPendingCall, or run by leak_detective_hook on a signal) and writes one JSON file.

The payload is the modules listed in scripts/census/modules.txt, joined in that order into one source
and run by one exec() (nothing is imported from disk, nothing stays in sys.modules or sys.path). Each
module only defines functions; run.py, last, calls them. Functions see each other as globals of the
one payload, so a module's test execs the modules it needs into one namespace.

It must never disturb the target: everything is wrapped in try/except BaseException (an exception
escaping a pending call would kill the training loop), warnings are silenced while it runs, every file
it opens is closed by a `with`, it allocates as little as it can, and it walks gc.get_referents()
rather than iterating containers that C code may be filling. Its result (or its error) goes into the
one file leak-profile pre-created for it: see _write_result.

Arguments arrive in the global LD_ARGS (a dict): out (result path), mode ('full'|'cheap'|'auto'),
paths_for (type names whose holders to find), max_seconds (time bound for the holder search).
"""


def _write_result(out, text):
    # leak-profile pre-created `out` (ours, 0600) in a directory we cannot write: open it, never
    # create or follow a link; the final newline tells leak-profile the result is complete.
    import os
    fd = os.open(out, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")


def _give_back():
    """Hand the census's temporary memory back to the OS (glibc keeps freed heap otherwise); returns
    the process's RSS in KB afterwards, so the footprint can be checked from outside."""
    import ctypes, sys

    try:
        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None)
            trim = getattr(libc, "malloc_trim", None)
            if trim is not None:
                trim(0)
    except Exception:
        pass
    try:
        with open("/proc/self/statm") as f:
            import os
            return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except Exception:
        return None


def _length(c):
    try:
        return c.cache_info().currsize if type(c).__name__ == "_lru_cache_wrapper" else len(c)
    except Exception:
        return None


def _fmt(size):
    mb = size / 1048576
    return f"{mb:.1f} MB" if mb >= 0.1 else f"{size / 1024:.1f} KB"


class _TargetFault(Exception):
    """The target, not the census, is why the census cannot run (reported as such: exit 3)."""


def _check_genuine():
    """The census believes what gc and sys tell it: refuse a target that replaced one of them (a
    monkeypatch that raises, or answers something else) before anything is counted."""
    import gc, sys

    # get_referrers too in every census, though only the holder census calls it: refused at the first
    # census, not after the whole profile was taken
    names = [(gc, "get_objects"), (gc, "get_referents"), (gc, "get_referrers"), (gc, "is_tracked"), (sys, "getsizeof"), (sys, "_current_frames"), (sys, "_getframe")]
    for mod, name in names:
        f = mod.__dict__.get(name)
        if type(f) is not type(len) or getattr(f, "__self__", None) is not mod or f.__name__ != name:
            raise _TargetFault(f"it replaced {mod.__name__}.{name} (now {type(f).__name__} {getattr(f, '__qualname__', '?')}), which the census relies on")


def _fault_of(e):
    """'target' when the target's condition or its own code made the census fail (no memory left, a
    property or __len__ of its classes that raised inside the census); 'census' for a bug of ours."""
    import sys

    if isinstance(e, (_TargetFault, MemoryError, RecursionError, KeyboardInterrupt, SystemExit)):
        return "target"
    mine = sys._getframe().f_code.co_filename
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename != mine:
            return "target"
        tb = tb.tb_next
    return "census"


def _deadline(seconds, wall_factor=5):
    """passed() -> bool, once the census has spent `seconds` of its own CPU time (or wall_factor times
    that of wall time, a backstop). Not wall time alone: on a busy machine (CI, 2 cores shared) the same
    search took over 3 s of wall time and named no holder at all. The CPU clock is a system call, the
    wall clock is not: a thread's CPU time grows no faster than wall time, so it is read only when the
    wall time says the budget could be spent."""
    import time

    wall = time.perf_counter
    cpu = getattr(time, "thread_time", None) or wall
    cpu_end = cpu() + seconds
    cap = wall() + seconds * wall_factor
    check = [wall() + seconds]  # before this wall time the CPU budget cannot be spent

    def passed():
        now = wall()
        if now < check[0]:
            return False
        if now > cap:
            return True
        left = cpu_end - cpu()
        check[0] = now + left
        return left <= 0

    return passed


def _referents(o, get_referents):
    """What o keeps, as gc.get_referents() says, plus a dict's str keys: a dict whose keys are all
    str does not report them (the collector need not visit them), yet they are its memory."""
    r = get_referents(o)
    # small dicts are namespaces and records: their keys are shared, interned names, already counted
    # (walking every instance __dict__'s keys made a census of 1.3 M objects 40 % slower)
    if isinstance(o, dict) and dict.__len__(o) >= 16:
        r.extend(k for k in dict.keys(o) if type(k) is str)
    return r
