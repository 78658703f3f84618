# A tensor's, a storage's and an autograd graph's bytes, read without disturbing torch (see _data_sizer).


def _data_sizer(warnings):
    """Bytes an object keeps outside its header: a tensor's storage (once per storage, read from the
    StorageImpl without creating a Python storage object, which torch 2.x would keep alive), the saved
    tensors of its autograd graph, a torch storage's data. numpy's __sizeof__ already has the data."""
    import sys, ctypes

    torch = sys.modules.get("torch")
    Tensor = getattr(torch, "Tensor", None) if torch is not None else None
    if not isinstance(Tensor, type):
        return {"data": lambda o: (0, 0), "graph": lambda o: 0, "is_tensor": lambda t: False, "is_graph_node": lambda t: False, "device": lambda: None, "close": lambda: None}
    storage_types = tuple(t for t in (getattr(torch, n, None) for n in ("UntypedStorage", "TypedStorage", "_UntypedStorage")) if isinstance(t, type))
    seen = set()  # StorageImpl addresses already counted
    nodes = {}  # id -> graph node, kept alive for the walk so ids stay unique
    saved_names = {}  # node type -> its _saved_* attribute names
    st = {"layout": None, "failed": 0, "first_error": None, "estimated": 0, "cuda_n": 0, "cuda_b": 0, "capped": False, "hooked": 0}
    read_ptr = lambda a: ctypes.c_void_p.from_address(a).value or 0
    read_i64 = lambda a: ctypes.c_int64.from_address(a).value
    sid = getattr(torch._C, "_storage_id", None)

    def calibrate():
        # Where the StorageImpl keeps its data pointer and byte size, found on a probe of known size
        # (the layout differs between torch 1.x and 2.x); checked again on every tensor.
        probe = torch.empty(4099, dtype=torch.uint8, device="cpu")
        a, p = sid(probe), probe.data_ptr()
        for d in range(8, 48, 8):
            if read_ptr(a + d) == p:
                for s in range(d + 8, d + 48, 8):
                    if read_i64(a + s) == 4099:
                        return (d, s)
        return False

    def extent(t):
        n = t.element_size()
        if t.numel() == 0:
            return 0
        last = t.storage_offset()
        for size, stride in zip(t.shape, t.stride()):
            last += (size - 1) * stride
        return (last + 1) * n

    def storage_bytes(t):
        """(key, bytes) of a tensor's storage."""
        if sid is None:
            key = t.data_ptr() - t.storage_offset() * t.element_size()
        else:
            key = sid(t)
        if key in seen:
            return key, 0
        if st["layout"] is None and sid is not None:
            try:
                st["layout"] = calibrate()
            except Exception:  # torch half-imported, or no CPU allocator: size from views instead
                st["layout"] = False
        lay = st["layout"]
        ext = extent(t)
        if lay:
            base = t.data_ptr() - t.storage_offset() * t.element_size()
            if read_ptr(key + lay[0]) == base:
                n = read_i64(key + lay[1])
                if ext <= n < (1 << 48):
                    return key, n
        if int(torch.__version__.split(".")[0]) < 2:
            return key, t.storage().nbytes()  # torch 1.x: a temporary wrapper, not kept
        st["estimated"] += 1
        return key, ext

    def tensor_data(t):
        if t.is_cuda:
            key, n = storage_bytes(t)
            if key not in seen:
                seen.add(key)
                st["cuda_n"] += 1
                st["cuda_b"] += n
            return 0
        if not t.is_cpu or t.is_sparse:
            return 0
        key, n = storage_bytes(t)
        seen.add(key)
        return n

    # Unpacking a saved tensor that went through saved_tensors_hooks runs the user's unpack hook
    # (non-reentrant checkpointing recomputes the forward; save_on_cpu copies back to the GPU): never
    # from the census. torch 2.x says which saved tensors have one; torch 1.x cannot, so there the walk
    # is skipped once torch.utils.checkpoint is loaded (save_on_cpu on 1.x stays a known gap).
    SavedTensor = getattr(getattr(torch._C, "_autograd", None), "SavedTensor", None)
    can_see_hooks = SavedTensor is not None and hasattr(SavedTensor, "unpack_hook")
    walk_graphs = can_see_hooks or "torch.utils.checkpoint" not in sys.modules
    if not walk_graphs:
        warnings.append(f"autograd graphs not sized: torch {torch.__version__} cannot tell saved tensors behind saved_tensors_hooks (torch.utils.checkpoint is loaded), and unpacking one would run its hook")

    def hooked(n, attr):
        if not can_see_hooks:
            return False
        raw = getattr(n, "_raw" + attr, None)
        for r in raw if isinstance(raw, (list, tuple)) else (raw,):
            if r is not None and getattr(r, "unpack_hook", None) is not None:
                return True
        return False

    def graph_bytes(t):
        """Saved tensors of the autograd graph behind t (each storage once), walking next_functions."""
        fn = t.grad_fn if walk_graphs else None
        if fn is None:
            return 0
        total = 0
        stack = [fn]
        while stack:
            n = stack.pop()
            if id(n) in nodes:
                continue
            if len(nodes) >= 500_000:
                st["capped"] = True
                break
            nodes[id(n)] = n
            names = saved_names.get(type(n))
            if names is None:
                names = saved_names[type(n)] = [a for a in dir(n) if a.startswith("_saved_")]
            for a in names:
                try:
                    if hooked(n, a):
                        st["hooked"] += 1
                        continue
                    v = getattr(n, a)
                except Exception:  # released by backward(): nothing kept
                    continue
                for x in v if isinstance(v, (tuple, list)) else (v,):
                    # a leaf that requires grad is a parameter: the model keeps it, not the graph
                    if isinstance(x, Tensor) and not (x.requires_grad and x.grad_fn is None):
                        total += tensor_data(x)
            for pair in getattr(n, "next_functions", ()):
                if pair[0] is not None:
                    stack.append(pair[0])
        return total

    def failed(e):
        st["failed"] += 1
        st["first_error"] = st["first_error"] or repr(e)[:200]

    def graph(o):
        try:
            return graph_bytes(o) if o.requires_grad else 0
        except Exception as e:
            failed(e)
            return 0

    def data(o):
        """(bytes kept outside the object, of which autograd graph) for one object."""
        t = type(o)
        if issubclass(t, Tensor):
            try:
                own = tensor_data(o)
            except Exception as e:
                failed(e)
                return 0, 0
            g = graph(o)
            return own + g, g
        if storage_types and issubclass(t, storage_types):
            try:
                u = o
                for attr in ("_untyped_storage", "_storage"):  # a TypedStorage wraps the real one
                    if getattr(u, attr, None) is not None:
                        u = getattr(u, attr)
                key = u._cdata
                if key in seen or u.device.type != "cpu":
                    return object.__sizeof__(o) - sys.getsizeof(o), 0  # its data is counted once, elsewhere
                seen.add(key)
                return 0, 0  # _StorageBase.__sizeof__ includes the data
            except Exception:
                return 0, 0
        return 0, 0

    def device():
        out = {"cuda_tensors": st["cuda_n"], "cuda_tensor_bytes": st["cuda_b"]}
        try:
            tc = getattr(torch, "cuda", None)
            if tc is not None and tc.is_initialized():  # never initialise CUDA in the target
                n = tc.device_count()
                out["cuda_memory_allocated"] = sum(tc.memory_allocated(i) for i in range(n))
                out["cuda_memory_reserved"] = sum(tc.memory_reserved(i) for i in range(n))
        except Exception as e:
            warnings.append(f"torch.cuda memory figures unreadable: {e!r}"[:300])
        return out

    def close():
        if st["failed"]:
            warnings.append(f"{st['failed']} tensors could not be sized (their data is left out): {st['first_error']}")
        if st["estimated"]:
            warnings.append(f"{st['estimated']} tensor storages sized from their views (unknown StorageImpl layout in torch {torch.__version__}): sizes may be low")
        if st["hooked"]:
            warnings.append(f"{st['hooked']} saved tensors of autograd graphs are behind saved_tensors_hooks (checkpointing, offloading): not unpacked, their size is left out")
        if st["capped"]:
            warnings.append("autograd graphs larger than 500,000 nodes: their saved tensors are a lower bound")
        nodes.clear()
        saved_names.clear()
        seen.clear()

    node_types = {}

    def is_graph_node(t):
        # The Python wrappers of C++ autograd nodes (MmBackward0…) live as long as their graph once
        # created, and the graph walk creates them: not the target's objects, so not counted.
        v = node_types.get(t)
        if v is None:
            v = node_types[t] = t.__module__ == "builtins" and hasattr(t, "next_functions") and hasattr(t, "register_hook")
        return v

    return {"data": data, "graph": graph, "is_tensor": lambda t: issubclass(t, Tensor), "is_graph_node": is_graph_node, "device": device, "close": close}
