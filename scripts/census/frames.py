# The locals of every thread's running functions, by value: a holder that is a local is named as one.


def _frame_locals(skip_files):
    """id(value) -> 'train.py:main() local processor' for the locals of every thread's running
    function frames. On 3.11/3.12 the fast locals are read by address (frame.f_locals would store a
    snapshot dict on the frame that keeps old values alive); on 3.13+ f_locals is a live proxy."""
    import sys, os, ctypes

    out = {}
    v = sys.version_info[:2]
    layouts = {(3, 11): (32, 40), (3, 12): (0, 48)}  # _PyInterpreterFrame: f_code, frame_obj offsets
    read_ptr = lambda a: ctypes.c_void_p.from_address(a).value or 0
    frames = list(sys._current_frames().values())
    seen = set()
    # a free variable (a lambda's `processor`, read from main's cell) is named where it is defined: the
    # defining frame is walked too when it runs, and a closure whose definer has returned is named by
    # its captures elsewhere. Naming the inner frame gave `main.<locals>.<lambda>() local processor`
    # whenever the census landed inside the lambda.
    for top in frames:
        f = top
        while f is not None:
            co = f.f_code
            if id(f) in seen or os.path.basename(co.co_filename) in skip_files or co.co_name == "<module>":
                f = f.f_back
                continue
            seen.add(id(f))
            where = f"{os.path.basename(co.co_filename)}:{getattr(co, 'co_qualname', co.co_name)}() local "
            if v >= (3, 13):
                try:
                    for name, val in f.f_locals.items():
                        if name not in co.co_freevars:
                            out.setdefault(id(val), where + name)
                except Exception:
                    pass
            elif v <= (3, 10):
                # frames are whole objects: f_localsplus ends PyFrameObject (varnames, cellvars, freevars);
                # f_code sits after the var-object header and f_back
                base = id(f) + type(f).__basicsize__ - ctypes.sizeof(ctypes.c_void_p)
                names = co.co_varnames + co.co_cellvars + co.co_freevars
                if read_ptr(id(f) + 32) == id(co):
                    for i, name in enumerate(names[: len(names) - len(co.co_freevars)]):
                        p = read_ptr(base + 8 * i)
                        if p:
                            out.setdefault(p, where + name)
            elif v in layouts:
                code_off, obj_off = layouts[v]
                iframe = read_ptr(id(f) + 24)  # PyFrameObject.f_frame
                names = co.co_varnames + tuple(c for c in co.co_cellvars if c not in co.co_varnames) + co.co_freevars
                # the frame must point back at this code and this frame object: otherwise the layout is
                # not the one assumed, and nothing is read
                if iframe and read_ptr(iframe + code_off) == id(co) and read_ptr(iframe + obj_off) == id(f):
                    for i, name in enumerate(names[: len(names) - len(co.co_freevars)]):
                        p = read_ptr(iframe + 72 + 8 * i)
                        if p:
                            out.setdefault(p, where + name)
            f = f.f_back
    frames = None
    return out
