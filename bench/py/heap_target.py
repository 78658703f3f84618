"""Bench target: N live objects (instances with attribute dicts, small lists, strings), then idle in a
loop that reaches safe points. On SIGUSR1 it times objgraph.show_growth() on the same heap."""
import sys, time, signal, gc

class Item:
    def __init__(self, i):
        self.i = i
        self.name = "item-%d" % i

n = int(sys.argv[1])
items = [Item(i) for i in range(n // 2)]  # instances + their str names ≈ n objects
def on_usr1(*_):
    import objgraph, io
    out = io.StringIO()
    t = time.perf_counter(); objgraph.show_growth(limit=10, file=out); first = time.perf_counter() - t
    t = time.perf_counter(); objgraph.show_growth(limit=10, file=out); second = time.perf_counter() - t
    print("objgraph %.3f %.3f" % (first, second), flush=True)
signal.signal(signal.SIGUSR1, on_usr1)
print("ready", len(gc.get_objects()), flush=True)
while True:
    time.sleep(0.02)
