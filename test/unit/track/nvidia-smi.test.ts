import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseComputeApps, queryVram, findNvidiaSmi } from '../../../src/track/nvidia-smi.js';
import { FIXTURES } from '../../helpers/paths.js';

const MiB = 1048576;

test('parseComputeApps: MiB to bytes, [N/A] is null, a PID on two GPUs is summed', () => {
  const m = parseComputeApps('4242, 1024\n4243, [N/A]\n4242, 512\n');
  assert.equal(m.get(4242), 1536 * MiB);
  assert.equal(m.get(4243), null);
  assert.equal(m.size, 2);
});

test('parseComputeApps: "No running processes found" and empty output are no processes', () => {
  assert.equal(parseComputeApps('No running processes found\n').size, 0);
  assert.equal(parseComputeApps('').size, 0);
});

test('parseComputeApps is strict: a line it does not understand is an error', () => {
  assert.throws(() => parseComputeApps('pid, used_gpu_memory [MiB]\n4242, 1024\n'), /unexpected nvidia-smi line/);
  assert.throws(() => parseComputeApps('4242, 1024 MiB\n'), /unexpected nvidia-smi memory value/);
  assert.throws(() => parseComputeApps('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.\n'), /unexpected/);
});

test('queryVram runs the stand-in nvidia-smi with the exact query and replays its frames', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nv-'));
  const env = { ...process.env, PATH: `${path.join(FIXTURES, 'bin')}:${process.env.PATH}` };
  const bin = findNvidiaSmi(env)!;
  assert.ok(bin.endsWith('fixtures/bin/nvidia-smi'));
  process.env.NVIDIA_SMI_REPLAY = path.join(FIXTURES, 'nvidia-smi', 'growing.txt');
  process.env.NVIDIA_SMI_STATE = path.join(dir, 'calls');
  process.env.NVIDIA_SMI_PIDS = '111 222';
  try {
    assert.equal((await queryVram(bin)).size, 0);
    assert.deepEqual([...(await queryVram(bin))], [[111, 1024 * MiB]]);
    assert.deepEqual([...(await queryVram(bin))], [[111, 1536 * MiB], [222, null]]);
    assert.deepEqual([...(await queryVram(bin))], [[111, 2304 * MiB], [222, 512 * MiB]]);
  } finally {
    delete process.env.NVIDIA_SMI_REPLAY;
    delete process.env.NVIDIA_SMI_STATE;
    delete process.env.NVIDIA_SMI_PIDS;
  }
});

test('findNvidiaSmi returns null where there is none on PATH', () => {
  assert.equal(findNvidiaSmi({ PATH: '/nonexistent' }), null);
});
