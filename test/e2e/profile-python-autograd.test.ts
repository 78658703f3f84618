// The classic PyTorch leak, history.append(loss) instead of loss.item(): each kept loss keeps its
// autograd graph, whose C++ nodes keep the step's saved activations. leak-profile must count those
// saved tensors at their real size, say it in words, and name the list, on torch 1.13 and 2.x.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPython, TORCH1_PYTHON, TORCH2_PYTHON } from '../helpers/python.js';
import { keptMbPerMin, mbPerMin, profilePid, relErr, watch } from '../helpers/profile-run.js';
import { runBin } from '../helpers/procs.js';

// 10 steps a second of batch 64: x (64×256) and the hidden layer (64×512), float32, are saved
const PER_S = 10, BATCH = 64, D_IN = 256, D_HIDDEN = 512;
const STEP_BYTES = BATCH * (D_IN + D_HIDDEN) * 4; // 192 KB a step: 112.5 MB/min at the nominal pace

// side by side: each case has its own target, paced by its own clock (a starved moment is caught up),
// and each census is timed inside the target: three at once take about the time of one
describe('history.append(loss) on torch 1.13 and 2.x', { concurrency: true }, () => {
  for (const [label, python] of [['torch 1.13', TORCH1_PYTHON], ['torch 2.x', TORCH2_PYTHON]] as const) {
    test(`${label}: history.append(loss) shows as torch.Tensor at the size of the saved activations, kept with its autograd graph`, async () => {
      const p = startPython(python, 'py_autograd_history.py', ['--per-s', String(PER_S), '--batch', String(BATCH), '--d-in', String(D_IN), '--d-hidden', String(D_HIDDEN), '--lifetime', '600']);
      const w = watch(p);
      try {
        await w.ready;
        const { rep } = await profilePid(p.pid!, ['--snapshots', '3', '--interval', '2']);
        const top = rep.growing[0]!;
        assert.equal(top.type, 'torch.Tensor', JSON.stringify(rep.growing.slice(0, 3)));
        // three torch.Tensor a step (the kept loss and its two saved activations, x and h, which the census
        // counts as tensors) sharing 192 KB: the truth is the steps the target really took between the
        // censuses, not 10 a second (a starved target falls behind its pace: 59 % of it at load 8-10)
        const got = mbPerMin(top.bytes_per_min);
        const truth = keptMbPerMin(rep, top, STEP_BYTES / 3);
        assert.ok(relErr(got, truth) < 0.25, `${got.toFixed(1)} MB/min vs ${truth.toFixed(1)} MB/min of saved activations (${top.count_delta / 3} steps kept)`);
        assert.match(top.note ?? '', /^kept with its autograd graph \(\d+ % of the growth is saved tensors of grad_fn graphs\): store loss\.item\(\) or tensor\.detach\(\), not the tensor$/);
        assert.match(top.retainer_path ?? '', /^py_autograd_history\.py:main\(\) local history \(list, \d+ items, [\d.]+ MB\)$/);
      } finally {
        p.kill();
      }
      await w.done;
    });
  }

  test('the text report says it under the row', async () => {
    const p = startPython(TORCH2_PYTHON, 'py_autograd_history.py', ['--per-s', '10', '--lifetime', '600']);
    const w = watch(p);
    try {
      await w.ready;
      const r = await runBin('leak-profile', ['--pid', String(p.pid), '--snapshots', '2', '--interval', '2']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^ {2}torch\.Tensor +\+[\d,]+ +\+[\d.]+ MB +\+[\d.]+ MB\/min .* py_autograd_history\.py:main\(\) local history \(list, \d+ items, [\d.]+ MB\)\n {31}↳ kept with its autograd graph/m);
    } finally {
      p.kill();
    }
    await w.done;
  });
});
