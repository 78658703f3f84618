// Example: a leak check inside a node:test suite (works the same under Jest or Vitest).
// Run: node --test examples/node-test/   (set PLANT_LEAK=1 to see it fail and name the holder)
import test from 'node:test';
import { assertNoLeak } from 'leak-detective';

// The code under test: a request handler with a per-user cache that should stay bounded.
const sessions = new Map();
function handleRequest(userId) {
  const session = { userId, seenAt: Date.now(), scratch: new Array(256).fill(userId) };
  if (process.env.PLANT_LEAK) sessions.set(`${userId}:${Math.random()}`, session); // the bug: a key per request
  else sessions.set(userId % 50, session); // bounded: 50 users
  return session.scratch.length;
}

test('handleRequest does not grow the heap', async () => {
  let n = 0;
  await assertNoLeak(() => handleRequest(n++), { warmup: 100, iterations: 300, maxGrowth: '256B' });
});
