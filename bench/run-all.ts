// `npm run bench`: every benchmark in one run, printed as the markdown tables of bench/README.md.
import { main as analyze } from './analyze-sweep.js';
import { main as track } from './track-cost.js';
import { main as profileNode } from './profile-node.js';
import { main as profilePython } from './profile-python.js';

const sections: [string, () => Promise<string>][] = [
  ['Leak-rate analysis vs baseline rules', () => analyze()],
  ['leak-track per-tick cost', () => track()],
  ['leak-profile (Node) vs memlab', () => profileNode([100, 300])],
  ['leak-profile (Python) census cost vs objgraph', () => profilePython([10_000, 1_000_000])],
];
for (const [title, run] of sections) {
  console.log(`\n## ${title}\n`);
  await run();
}
