// Naming, units and metric mapping of foreign series (the HTTP path runs against a real Prometheus in
// test/e2e/prometheus-readback.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeSeries, metricOf, nameSeries, parseUnit, unitOf } from '../../../src/store/read-prometheus.js';
import { isLeakError } from '../../../src/errors.js';

test('series are named by the fewest labels that tell them apart, target labels last', () => {
  const fleet = [0, 1, 2].map((r) => ({ __name__: 'leak_detective_process_memory_bytes', type: 'uss', rank: String(r), instance: `node${r}:9464`, job: 'leak' }));
  assert.deepEqual(nameSeries(fleet), ['rank=0', 'rank=1', 'rank=2']);
  const twoPerNode = [
    { __name__: 'm', instance: 'a', local_rank: '0' },
    { __name__: 'm', instance: 'a', local_rank: '1' },
    { __name__: 'm', instance: 'b', local_rank: '0' },
    { __name__: 'm', instance: 'b', local_rank: '1' },
  ];
  assert.deepEqual(nameSeries(twoPerNode), ['instance=a,local_rank=0', 'instance=a,local_rank=1', 'instance=b,local_rank=0', 'instance=b,local_rank=1']);
  assert.deepEqual(nameSeries([{ __name__: 'a_bytes' }, { __name__: 'b_bytes' }]), ['a_bytes', 'b_bytes']);
  assert.deepEqual(nameSeries([{ __name__: 'only_bytes', pod: 'x' }]), ['only_bytes']);
  assert.equal(describeSeries({ __name__: 'm', b: '2', a: 'x"y' }), 'm{a="x\\"y",b="2"}');
});

test('units: DCGM framebuffer gauges are MiB, *_bytes are bytes, anything else is a guess said aloud', () => {
  assert.deepEqual(unitOf('DCGM_FI_DEV_FB_USED'), { bytes: 1048576, known: true });
  assert.deepEqual(unitOf('container_memory_working_set_bytes'), { bytes: 1, known: true });
  assert.deepEqual(unitOf('DCGM_FI_DEV_GPU_UTIL'), { bytes: 1, known: false });
  assert.equal(parseUnit('GiB'), 1024 ** 3);
  assert.throws(() => parseUnit('mb'), (e) => isLeakError(e) && e.exitCode === 2 && /`mb`/.test(e.message));
});

test('metric mapping: our type label, DCGM as vram, process-exporter memtypes', () => {
  assert.equal(metricOf({ __name__: 'leak_detective_process_memory_bytes', type: 'pss' }), 'pss');
  assert.equal(metricOf({ __name__: 'DCGM_FI_DEV_FB_USED' }), 'vram');
  assert.equal(metricOf({ __name__: 'namedprocess_namegroup_memory_bytes', memtype: 'proportionalResident' }), 'pss');
  assert.equal(metricOf({ __name__: 'namedprocess_namegroup_memory_bytes', memtype: 'swapped' }), 'swap');
  assert.equal(metricOf({ __name__: 'container_memory_working_set_bytes' }), 'rss');
});
