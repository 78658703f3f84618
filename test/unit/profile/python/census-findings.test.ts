// The Python census extras, from census JSON as scripts/leak_census.py writes it: the autograd note,
// CUDA device memory apart from host bytes (no GPU on this machine: the census fields are given here;
// the census code path that fills them runs only where torch.cuda is initialised), sizing warnings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { censusWarnings, deviceSeries, noteAutogradGraphs, type CensusExtras } from '../../../../src/profile/python/census-findings.js';
import { renderProfileText } from '../../../../src/report/profile-text.js';
import type { GrowingType, ProfileReport } from '../../../../src/types.js';

const MiB = 1048576;
const grower = (type: string, bytes: number[]): GrowingType => ({
  type, counts: bytes.map((_, i) => 10 * (i + 1)), bytes, count_delta: 10 * (bytes.length - 1),
  bytes_delta: bytes[bytes.length - 1]! - bytes[0]!, bytes_per_min: null, retainer_path: 'history (list, 30 items, 60.0 MB)',
});

// Three censuses a minute apart of a process leaking 20 MB/min of CUDA tensors, allocator cache growing more
const censuses: CensusExtras[] = [0, 1, 2].map((i) => ({
  time: 1_700_000_000 + 60 * i,
  autograd: { 'torch.Tensor': 18 * MiB * i },
  device: { cuda_tensors: 100 + 10 * i, cuda_tensor_bytes: (500 + 20 * i) * MiB, cuda_memory_allocated: (520 + 20 * i) * MiB, cuda_memory_reserved: (600 + 40 * i) * MiB },
  warnings: i === 1 ? ['3 tensors could not be sized (their data is left out): RuntimeError()'] : [],
}));

test('autograd: a grower whose growth is mostly saved tensors gets the note, another does not', () => {
  const gs = noteAutogradGraphs([grower('torch.Tensor', [0, 20 * MiB, 40 * MiB]), grower('bytes', [0, 20 * MiB, 40 * MiB])], censuses);
  assert.equal(gs[0]!.note, 'kept with its autograd graph (90 % of the growth is saved tensors of grad_fn graphs): store loss.item() or tensor.detach(), not the tensor');
  assert.equal(gs[1]!.note, undefined);
  // under half: no note
  const small = noteAutogradGraphs([grower('torch.Tensor', [0, 40 * MiB, 80 * MiB])], censuses);
  assert.equal(small[0]!.note, undefined);
});

test('CUDA: tensors, memory_allocated and memory_reserved as series with their rates', () => {
  const d = deviceSeries(censuses)!;
  assert.deepEqual(d.map((s) => s.name), ['CUDA tensors', 'torch.cuda.memory_allocated', 'torch.cuda.memory_reserved']);
  assert.deepEqual(d[0]!.bytes, [500 * MiB, 520 * MiB, 540 * MiB]);
  assert.equal(d[0]!.bytes_per_min, 20 * MiB);
  assert.equal(d[2]!.bytes_per_min, 40 * MiB);
});

test('CUDA: a CPU-only target (no CUDA tensors, allocator never initialised) has no device section; older censuses neither', () => {
  const cpu = censuses.map((c) => ({ ...c, device: { cuda_tensors: 0, cuda_tensor_bytes: 0 } }));
  assert.equal(deviceSeries(cpu), undefined);
  assert.equal(deviceSeries(censuses.map(({ time }) => ({ time }))), undefined);
  // a census that lost the allocator figures halfway: that series is left out rather than invented
  const partial = censuses.map((c, i) => ({ ...c, device: i === 2 ? { cuda_tensors: 1, cuda_tensor_bytes: 540 * MiB } : c.device }));
  assert.deepEqual(deviceSeries(partial)!.map((s) => s.name), ['CUDA tensors']);
});

test('warnings from the census are kept, each once', () => {
  assert.deepEqual(censusWarnings([...censuses, censuses[1]!]), ['3 tensors could not be sized (their data is left out): RuntimeError()']);
});

test('the text report: the note under its row, device memory apart, warnings at the end', () => {
  const g = noteAutogradGraphs([grower('torch.Tensor', [0, 20 * MiB, 40 * MiB])], censuses);
  g[0]!.bytes_per_min = 20 * MiB;
  const rep: ProfileReport = {
    target: { pid: 4242, runtime: 'python' },
    snapshots: censuses.map((c, i) => ({ t_s: 60 * i, file: null, objects: 1000, bytes: 100 * MiB, pause_s: 0.5 })),
    growing: g,
    warnings: censusWarnings(censuses),
    device: deviceSeries(censuses)!,
  };
  const text = renderProfileText(rep, 10);
  assert.match(text, /\n {2}torch\.Tensor .*\+20\.0 MB\/min .*history \(list, 30 items, 60\.0 MB\)\n {31}↳ kept with its autograd graph \(90 %/);
  assert.match(text, /\nDevice memory \(GPU, not in the bytes above\):\n {2}CUDA tensors +500\.0 MB → +540\.0 MB +\+20\.0 MB\/min\n {2}torch\.cuda\.memory_allocated +520\.0 MB → +560\.0 MB +\+20\.0 MB\/min\n {2}torch\.cuda\.memory_reserved +600\.0 MB → +680\.0 MB +\+40\.0 MB\/min\n/);
  assert.match(text, /\nwarning: 3 tensors could not be sized \(their data is left out\): RuntimeError\(\)\n$/);
});
