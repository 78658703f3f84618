// The last N points of one series in a ring of typed arrays: the exporter's rate looks at recent
// behaviour (what an alert needs), and its memory is fixed however long the tracker runs.
import type { MemoryType } from './series-groups.js';

/** A ring of (seconds, MiB) points on one memory type; a change of type starts it afresh. */
export class RecentWindow {
  private readonly t: Float64Array;
  private readonly v: Float64Array;
  private start = 0;
  private n = 0;
  private type: MemoryType = 'uss';

  constructor(readonly capacity: number) {
    if (!(capacity >= 2)) throw new RangeError('capacity must be at least 2');
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
  }

  /** Add a point; the oldest is overwritten when full. USS and RSS are not comparable, so a switch clears it. */
  push(t_s: number, mb: number, type: MemoryType): void {
    if (type !== this.type) {
      this.type = type;
      this.start = this.n = 0;
    }
    const i = (this.start + this.n) % this.capacity;
    this.t[i] = t_s;
    this.v[i] = mb;
    if (this.n < this.capacity) this.n++;
    else this.start = (this.start + 1) % this.capacity;
  }

  get length(): number {
    return this.n;
  }

  /** The points in time order (copies, for the analysis). */
  read(): { t_s: Float64Array; mb: Float64Array; type: MemoryType } {
    const t_s = new Float64Array(this.n);
    const mb = new Float64Array(this.n);
    for (let k = 0; k < this.n; k++) {
      const i = (this.start + k) % this.capacity;
      t_s[k] = this.t[i]!;
      mb[k] = this.v[i]!;
    }
    return { t_s, mb, type: this.type };
  }
}
