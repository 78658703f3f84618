# The size of what a holder keeps alive: the number printed beside a holder path.


def _reach_bytes(root, deadline, warnings):
    """Bytes reachable from a holder (what it keeps alive if nothing else refers to it): object sizes
    plus tensor storages, autograd graphs and array buffers; stops at modules, classes and functions.
    deadline(): true once its time is spent (base.py): the size is then a lower bound, and said so."""
    import gc, sys, types

    sizer = _data_sizer(warnings)
    stop = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.CodeType, types.FrameType, types.MethodType)
    seen = {id(root)}
    stack = [root]
    total = 0
    n = 0
    while stack:
        o = stack.pop()
        try:
            total += sys.getsizeof(o)
        except Exception:
            pass
        total += sizer["data"](o)[0]
        n += 1
        if n % 4096 == 0 and deadline():
            warnings.append("a holder's size was cut short by the time limit: it is a lower bound")
            break
        for r in _referents(o, gc.get_referents):
            if id(r) not in seen and not isinstance(r, stop):
                seen.add(id(r))
                stack.append(r)
    sizer["close"]()
    seen.clear()
    return total
