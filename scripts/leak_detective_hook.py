"""leak-detective's in-process hook, for targets where gdb/ptrace is impossible (containers without
CAP_SYS_PTRACE, ptrace_scope = 3). Import it once, early, in the training script:

    import sys; sys.path.insert(0, "/path/to/leak-detective/scripts"); import leak_detective_hook

It creates /tmp/leak-detective-<uid>/<pid>/ (mode 0700) with a `ready` marker naming the signal
(SIGUSR2 unless LEAK_DETECTIVE_SIGNAL names another). `leak-profile --pid PID` sees the marker, writes
request.json there and sends the signal; the handler runs the same census payload as an injection
would, on the main thread between bytecodes (it even fires during time.sleep).
"""
import os
import signal
import json

_DIR = os.path.join("/tmp", f"leak-detective-{os.getuid()}", str(os.getpid()))
_PAYLOAD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "leak_census.py")
_SIGNAL = getattr(signal, os.environ.get("LEAK_DETECTIVE_SIGNAL", "SIGUSR2"))


def _on_signal(signum, frame):
    try:
        with open(os.path.join(_DIR, "request.json")) as f:
            args = json.load(f)
        g = {"__name__": "__leak_census__", "LD_ARGS": args}
        with open(_PAYLOAD, "rb") as f:
            code = compile(f.read(), _PAYLOAD, "exec")
        exec(code, g)
        g.clear()
    except BaseException:
        pass  # never disturb the target


def install():
    os.makedirs(os.path.dirname(_DIR), mode=0o700, exist_ok=True)
    os.makedirs(_DIR, mode=0o700, exist_ok=True)
    signal.signal(_SIGNAL, _on_signal)
    with open(os.path.join(_DIR, "ready"), "w") as f:
        f.write(signal.Signals(_SIGNAL).name)


install()
