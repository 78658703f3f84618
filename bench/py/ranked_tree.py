#!/usr/bin/env python3
"""A parent with N children, each started with its own RANK/LOCAL_RANK/WORLD_SIZE (as torchrun does),
so every child is its own exported series. Usage: python3 ranked_tree.py N LIFETIME_S"""
import os, subprocess, sys, time, signal

n, lifetime = int(sys.argv[1]), float(sys.argv[2])
kids = []
for i in range(n):
    env = dict(os.environ, RANK=str(i), LOCAL_RANK=str(i % 8), WORLD_SIZE=str(n))
    kids.append(subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({lifetime})"], env=env))
def stop(*_):
    for k in kids:
        k.terminate()
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
time.sleep(lifetime)
stop()
