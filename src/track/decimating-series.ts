// A fixed-capacity series for the live view: when full, every pair of points is merged into one,
// halving the resolution. Memory stays constant however long the tracker runs (a leak detector must
// not leak), while the whole run stays visible.

/** Time/value pairs, at most `capacity` of them, covering the whole run at decreasing resolution. */
export class DecimatingSeries {
  private t: Float64Array;
  private v: Float64Array;
  private n = 0;
  private stride = 1; // raw points per stored point
  private pendingT = 0;
  private pendingV = 0;
  private pendingCount = 0;

  constructor(readonly capacity = 1024) {
    if (capacity < 4 || capacity % 2 !== 0) throw new RangeError('capacity must be an even number ≥ 4');
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
  }

  /** Add one raw point; points are averaged in groups of `stride`. */
  push(t: number, v: number): void {
    this.pendingT += t;
    this.pendingV += v;
    if (++this.pendingCount < this.stride) return;
    if (this.n === this.capacity) this.halve();
    this.t[this.n] = this.pendingT / this.pendingCount;
    this.v[this.n] = this.pendingV / this.pendingCount;
    this.n++;
    this.pendingT = this.pendingV = this.pendingCount = 0;
  }

  get length(): number {
    return this.n;
  }

  /** Copies of the stored points (the chart and the live rate read these). */
  snapshot(): { t_s: number[]; mb: number[] } {
    return { t_s: Array.from(this.t.subarray(0, this.n)), mb: Array.from(this.v.subarray(0, this.n)) };
  }

  private halve(): void {
    for (let i = 0; i < this.n / 2; i++) {
      this.t[i] = (this.t[2 * i]! + this.t[2 * i + 1]!) / 2;
      this.v[i] = (this.v[2 * i]! + this.v[2 * i + 1]!) / 2;
    }
    this.n /= 2;
    this.stride *= 2;
  }
}
