import type { Clock, ScheduledCall } from './clock.js';
import { pyFloatMod } from './python-float.js';

/**
 * Twisted's `LoopingCall.start(interval, now=False)`, ported for its timing: the first run is one
 * interval after start, later runs land on `start + k·interval` (drift-corrected, skipping missed
 * slots). carbon's aggregation buffers are scheduled this way, so emission times follow it.
 */
export class LoopingCall {
  private startTime = 0;
  private call: ScheduledCall | null = null;
  running = false;

  constructor(
    private readonly clock: Clock,
    private readonly fn: () => void,
  ) {}

  start(intervalSeconds: number): void {
    this.interval = intervalSeconds;
    this.running = true;
    this.startTime = this.clock.now();
    this.scheduleFrom(this.startTime);
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    if (this.call) {
      this.call.cancel();
      this.call = null;
    }
  }

  private interval = 0;

  private readonly tick = (): void => {
    this.call = null;
    try {
      this.fn();
    } catch (err) {
      // Twisted stops a LoopingCall whose function raised; keep that behaviour.
      this.running = false;
      throw err;
    }
    if (this.running) this.scheduleFrom(this.clock.now());
  };

  private scheduleFrom(when: number): void {
    this.call = this.clock.callLater(this.delayFrom(when), this.tick);
  }

  private delayFrom(when: number): number {
    if (this.interval === 0) return 0;
    const runningFor = when - this.startTime;
    const untilNext = this.interval - pyFloatMod(runningFor, this.interval);
    // A delay too small to change `when` means we are on a boundary: wait a whole interval.
    if (when === when + untilNext) return this.interval;
    return untilNext;
  }
}

