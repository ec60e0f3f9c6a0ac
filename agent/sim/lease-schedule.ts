/**
 * When each simulated node renews its Lease. Pure: the caller passes times.
 *
 * N nodes renew every `periodMs` (10 s, the kubelet's renew interval), and
 * node i's slot is offset by i/N of the period, so renewals are spread
 * evenly instead of arriving as one burst of N writes every 10 s. The
 * caller asks takeDue(now) on each tick and gets the nodes whose slot has
 * come, each at most once per call; after a stall longer than a period it
 * skips ahead rather than replaying missed cycles (a renewal replaces the
 * previous one, so only the latest matters).
 */

export class LeaseSchedule {
  private cycleStart: number;
  private index = 0;

  constructor(
    readonly count: number,
    readonly periodMs: number,
    startMs: number,
  ) {
    if (count < 0 || !Number.isInteger(count)) throw new Error(`invalid node count ${count}`);
    if (periodMs <= 0) throw new Error(`invalid period ${periodMs}`);
    this.cycleStart = startMs;
  }

  /** Offset of node i's slot within each period, in ms. */
  offset(i: number): number {
    return this.count === 0 ? 0 : Math.floor((i * this.periodMs) / this.count);
  }

  /** When the next slot comes (ms), or Infinity with no nodes. */
  nextDueAt(): number {
    if (this.count === 0) return Infinity;
    return this.cycleStart + this.offset(this.index);
  }

  /** The nodes whose slot is at or before now, in slot order; advances past them. */
  takeDue(nowMs: number): number[] {
    const due: number[] = [];
    if (this.count === 0) return due;
    while (due.length < this.count && this.nextDueAt() <= nowMs) {
      due.push(this.index);
      this.advance();
    }
    // Still behind after a whole round: skip the missed cycles.
    if (this.nextDueAt() <= nowMs) {
      const behind = nowMs - this.cycleStart;
      this.cycleStart += Math.floor(behind / this.periodMs) * this.periodMs;
      while (this.nextDueAt() <= nowMs) this.advance();
    }
    return due;
  }

  private advance(): void {
    this.index++;
    if (this.index >= this.count) {
      this.index = 0;
      this.cycleStart += this.periodMs;
    }
  }
}
