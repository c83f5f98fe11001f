/**
 * The byte budget every destination's spill shares (spillMaxBytes is a total). Bytes count from
 * the moment a record is accepted until its segment file is deleted after replay.
 */
export class SpillBudget {
  used = 0;
  /** Set when a record did not fit; cleared once replay has freed the budget below 90 %. */
  private refused = false;
  constructor(readonly maxBytes: number) {}

  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.maxBytes) {
      this.refused = true;
      return false;
    }
    this.used += bytes;
    return true;
  }

  /** Bytes found on disk at start are counted even when they exceed the budget. */
  add(bytes: number): void {
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    if (this.used < this.maxBytes * 0.9) this.refused = false;
  }

  get isFull(): boolean {
    return this.refused || this.used >= this.maxBytes;
  }

  /** Room again once below 90 %, so pause/resume does not flap on every record. */
  get hasRoom(): boolean {
    return !this.refused && this.used < this.maxBytes * 0.9;
  }
}
