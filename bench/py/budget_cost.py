"""Bench target for bench/budget-cost.ts. `census PAYLOAD N HOLES`: builds N objects and HOLES allocator
holes (2 KiB objects, 19 of 20 freed), runs the joined census payload 3 times in-process and prints
[pause_s, budget_s] per run. `churn KIND SECONDS`: prints how many rounds of malloc-heavy (`malloc`:
2 KiB bytes made and dropped) or pymalloc-only (`small`: small tuples and dicts) work it did per second,
printing a line per second so a tracer can be attached between the first and the rest."""
import json, sys, time

if sys.argv[1] == "census":
    payload, n, holes = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    objs = [(i, str(i), {"k": i}) for i in range(n // 4)]
    X = b"x" * 2047
    burst = [X + bytes((i & 255,)) for i in range(20 * holes)]
    kept = burst[::20]
    del burst
    src = compile(open(payload, "rb").read(), payload, "exec")
    out = []
    for k in range(3):
        f = f"/tmp/budget-bench-{k}.json"
        open(f, "w").close()
        g = {"__name__": "__leak_census__", "LD_ARGS": {"out": f, "mode": "full", "paths_for": [], "max_seconds": 3}}
        exec(src, g)
        g.clear()
        r = json.loads(open(f).read())
        out.append([r["pause_s"], r["budget"]["seconds"]])
    print(json.dumps(out))
else:
    kind, seconds = sys.argv[2], float(sys.argv[3])
    X = b"x" * 2047
    t0 = time.monotonic()
    last, rounds = t0, 0
    print("ready", flush=True)
    while time.monotonic() - t0 < seconds:
        if kind == "malloc":
            tmp = [X + bytes((i & 255,)) for i in range(200)]
        else:
            tmp = [(i, {"a": i}) for i in range(200)]
        del tmp
        rounds += 1
        now = time.monotonic()
        if now - last >= 1:
            print(json.dumps({"t": now - t0, "rounds_per_s": rounds / (now - last)}), flush=True)
            last, rounds = now, 0
