// Module-loading hooks (node:module register) that hold the load of one module until the test says go:
// a deterministic "while the bin is still loading its modules" for the early-signal test. The module
// whose URL ends in PAUSE_MATCH waits, after writing PAUSE_DIR/loading, until PAUSE_DIR/go exists.
import { existsSync, writeFileSync } from 'node:fs';

let dir = '';
let match = '';

export function initialize(data: { dir: string; match: string }): void {
  ({ dir, match } = data);
}

type Next = (url: string, context: unknown) => Promise<unknown>;

export async function load(url: string, context: unknown, next: Next): Promise<unknown> {
  if (match && url.endsWith(match)) {
    writeFileSync(`${dir}/loading`, url);
    while (!existsSync(`${dir}/go`)) await new Promise((r) => setTimeout(r, 10));
  }
  return next(url, context);
}
