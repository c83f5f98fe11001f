/**
 * carbon's TokenBucket (carbon/util.py): capacity tokens, refilled at fillRate per second, starting
 * full. carbon's blocking drain sleeps; here the caller asks how long to wait (`secondsUntil`) and
 * schedules a timer, so the writer never blocks the event loop.
 */
export class TokenBucket {
  capacity: number;
  fillRate: number;
  private _tokens: number;
  private timestamp: number;

  /** `now` returns seconds. */
  constructor(
    capacity: number,
    fillRate: number,
    private now: () => number = () => performance.now() / 1000,
  ) {
    this.capacity = capacity;
    this.fillRate = fillRate;
    this._tokens = capacity;
    this.timestamp = now();
  }

  /** Current tokens after refill (carbon's `tokens` property). May be fractional. */
  get tokens(): number {
    if (this._tokens < this.capacity) {
      const now = this.now();
      const delta = this.fillRate * (now - this.timestamp);
      this._tokens = Math.min(this.capacity, this._tokens + delta);
      this.timestamp = now;
    }
    return this._tokens;
  }

  /** Takes `cost` tokens if available (carbon's non-blocking drain). */
  drain(cost = 1): boolean {
    if (cost <= this.tokens) {
      this._tokens -= cost;
      return true;
    }
    return false;
  }

  /** Seconds until `cost` tokens are available (0 if they are now). */
  secondsUntil(cost = 1): number {
    const t = this.tokens;
    if (cost <= t) return 0;
    return (cost - t) / this.fillRate;
  }

  /** carbon's setCapacityAndFillRate (shutdown rate): tokens move by the capacity delta. */
  setCapacityAndFillRate(capacity: number, fillRate: number): void {
    const delta = capacity - this.capacity;
    this.capacity = capacity;
    this.fillRate = fillRate;
    this._tokens = delta + this._tokens;
  }
}
