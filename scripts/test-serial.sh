#!/usr/bin/env bash
# The last part of `npm test`: test/serial/ one file at a time (real leakers, cyclers and exporters that a
# neighbouring test must not starve of CPU), and beside it test/soak/ (the tracker's own-memory soaks:
# ~0.25 of a core in all, and measured in ticks the tracker committed, so a busy box stretches them
# instead of changing their verdict). The soak's output is printed after the serial batch's, not
# interleaved with it. Exits non-zero when either fails.
set -u
cd "$(dirname "$0")/.."
soak_log=$(mktemp)
node --test dist/test/soak/ >"$soak_log" 2>&1 &
soak=$!
node --test --test-concurrency=1 dist/test/serial/
serial_rc=$?
wait "$soak"
soak_rc=$?
echo "# test/soak/ (ran beside test/serial/):"
cat "$soak_log"
rm -f "$soak_log"
[ "$serial_rc" -eq 0 ] && [ "$soak_rc" -eq 0 ]
