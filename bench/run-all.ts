// `npm run bench`: every benchmark in one run, printed as the markdown tables of bench/README.md.
import { main as analyze } from './analyze-sweep.js';
import { main as coverage } from './analyze-coverage.js';
import { main as track } from './track-cost.js';
import { main as profileNode } from './profile-node.js';
import { main as profilePython } from './profile-python.js';
import { main as soak } from './track-soak.js';
import { main as prometheus } from './prometheus-cost.js';
import { main as budget } from './budget-cost.js';

const sections: [string, () => Promise<string>][] = [
  ['Leak-rate analysis vs baseline rules', () => analyze()],
  ['Leak-rate interval coverage under wandering noise', () => coverage()],
  ['leak-track per-tick cost', () => track()],
  ['leak-profile (Node) vs memlab', () => profileNode([100, 300])],
  ['leak-profile (Python) census cost vs objgraph', () => profilePython([10_000, 1_000_000])],
  // The full soak is 31 minutes (node dist/bench/track-soak.js); `npm run bench` runs SOAK_MINUTES (default 5).
  ['leak-track soak: its own memory', () => soak(Number(process.env.SOAK_MINUTES) || 5)],
  ['Prometheus: exporter cost, scrape latency, read-back', () => prometheus()],
  ['The growth budget and --native-sites: their cost', () => budget()],
];
for (const [title, run] of sections) {
  console.log(`\n## ${title}\n`);
  await run();
}
