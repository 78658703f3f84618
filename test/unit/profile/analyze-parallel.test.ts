// The earlier snapshots parsed in a worker thread give the very report the one-after-the-other path
// gives; errors and progress lines keep the files' order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeHeapSnapshot } from 'node:v8';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { analyzeSnapshots, analyzeSnapshotsInParallel } from '../../../src/profile/node/analyze-snapshots.js';
import { LeakError } from '../../../src/errors.js';
import { graphBytes } from '../../../src/profile/node/parse-aside.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-par-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

class ParallelProbe {
  constructor(readonly n: number, readonly pad = new Array(8).fill(n)) {}
}
const cache = new Map<number, ParallelProbe>();
const files = [0, 1, 2].map((k) => {
  for (let i = 0; i < 3000; i++) cache.set(k * 3000 + i, new ParallelProbe(i));
  return writeHeapSnapshot(path.join(dir, `s${k}.heapsnapshot`));
});

test('parsed aside in a worker or one after the other: the same report, progress lines in file order', async () => {
  const lines = { seq: [] as string[], par: [] as string[] };
  const seq = analyzeSnapshots(files.map((file) => ({ file })), { top: 10, onProgress: (l) => lines.seq.push(l) });
  const par = await analyzeSnapshotsInParallel(files.map((file) => ({ file })), { top: 10, parallelMinGraphBytes: 0, onProgress: (l) => lines.par.push(l) });
  assert.deepEqual(par, seq);
  assert.equal(par.growing[0]?.type, 'ParallelProbe');
  const files_ = (ls: string[]) => ls.filter((l) => l.startsWith('parsed ')).map((l) => l.split(':')[0]);
  assert.deepEqual(files_(lines.par), files.map((f) => `parsed ${f}`));
  assert.deepEqual(files_(lines.par), files_(lines.seq));
});

test('a corrupt file is the error, the first in file order, whichever thread parsed it (exit 2)', async () => {
  const cut = path.join(dir, 'cut.heapsnapshot');
  writeFileSync(cut, readFileSync(files[0]!).subarray(0, 5000));
  for (const order of [[cut, files[1]!, files[2]!], [files[0]!, files[1]!, cut], [cut, files[1]!, cut]]) {
    const lines: string[] = [];
    await assert.rejects(analyzeSnapshotsInParallel(order.map((file) => ({ file })), { top: 5, parallelMinGraphBytes: 0, onProgress: (l) => lines.push(l) }),
      (e: unknown) => e instanceof LeakError && e.exitCode === 2 && e.message.startsWith(`${cut} is not a complete V8 heap snapshot`));
    // progress for the files before the first bad one, none after
    assert.deepEqual(lines.map((l) => l.split(':')[0]), order.slice(0, order.indexOf(cut)).map((f) => `parsed ${f}`));
  }
  await assert.rejects(analyzeSnapshotsInParallel([{ file: path.join(dir, 'none') }, { file: files[1]! }], { top: 5, parallelMinGraphBytes: 0 }), (e: unknown) => e instanceof LeakError && e.exitCode === 3);
});

test('graphBytes: what a file\'s graph takes, from its header counts (17 bytes a node, 9 an edge); half the size without them; 0 unreadable', () => {
  const head = readFileSync(files[2]!, 'latin1').slice(0, 4096);
  const nodes = Number(/"node_count":(\d+)/.exec(head)![1]), edges = Number(/"edge_count":(\d+)/.exec(head)![1]);
  assert.ok(nodes > 30000 && edges > nodes);
  assert.equal(graphBytes(files[2]!), nodes * 17 + edges * 9);
  const bare = path.join(dir, 'bare.heapsnapshot');
  writeFileSync(bare, '{"snapshot":{"meta":{}},"nodes":[],"edges":[],"strings":[]}');
  assert.equal(graphBytes(bare), statSync(bare).size / 2);
  assert.equal(graphBytes(path.join(dir, 'none')), 0);
});
