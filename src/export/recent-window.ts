// The last N points of one series in a ring of typed arrays: the exporter's rate looks at recent
// behaviour (what an alert needs), and its memory is fixed however long the tracker runs.
import type { MemoryType } from './memory-types.js';

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

  /**
   * The points in time order, as means of consecutive runs when there are more than `maxPoints`
   * (the analysis costs ~linear time in points; 120 means keep the shape of a 720-point window).
   */
  read(maxPoints = this.capacity): { t_s: Float64Array; mb: Float64Array; type: MemoryType } {
    const per = Math.max(1, Math.ceil(this.n / maxPoints));
    const m = Math.ceil(this.n / per);
    const t_s = new Float64Array(m);
    const mb = new Float64Array(m);
    for (let b = 0; b < m; b++) {
      let st = 0, sv = 0, c = 0;
      for (let k = b * per; k < Math.min(this.n, (b + 1) * per); k++, c++) {
        const i = (this.start + k) % this.capacity;
        st += this.t[i]!;
        sv += this.v[i]!;
      }
      t_s[b] = st / c;
      mb[b] = sv / c;
    }
    return { t_s, mb, type: this.type };
  }
}
