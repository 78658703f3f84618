// The CLI's collection between snapshot files: a dropped graph's arrays are really given back, and
// the process is left as it was (no `gc` global appears for the user's code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectGarbage } from '../../../src/profile/node/collect-garbage.js';

const MiB = 1024 * 1024;
const held = (before: number) => process.memoryUsage().arrayBuffers - before;

test('collectGarbage frees dropped typed arrays that V8 alone keeps (under its external-memory limit), and exposes no gc global', () => {
  const before = process.memoryUsage().arrayBuffers;
  const box: { arrays: Uint32Array[] | null } = { arrays: Array.from({ length: 8 }, () => new Uint32Array(MiB / 2)) }; // 16 MiB
  assert.ok(held(before) >= 15 * MiB, `${before} → ${process.memoryUsage().arrayBuffers}`);
  // Survive a few scavenges into the old generation, as a parsed graph does while the parse allocates.
  let junk: unknown[] = [];
  for (let i = 0; i < 2e6; i++) junk.push({ i }), junk.length > 1000 && (junk = []);
  box.arrays = null;
  assert.ok(held(before) >= 15 * MiB, 'V8 collected on its own: this test no longer shows what collectGarbage adds');
  collectGarbage();
  // The backing stores are swept on a background thread right after the collection. The wait is busy
  // (as the parser is): a timer's idle time would let V8's memory reducer collect on its own.
  const t0 = Date.now();
  while (held(before) >= 4 * MiB && Date.now() - t0 < 2000);
  assert.ok(held(before) < 4 * MiB, `${held(before) >> 20} MiB still held`);
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
  collectGarbage(); // a second call reuses the function
});
