/**
 * Time for the aggregator, in seconds as a float (Python's `time.time()` / Twisted's `seconds()`),
 * behind an interface so tests can drive buffers with a controlled clock exactly as Twisted's
 * `task.Clock` drives carbon's LoopingCalls.
 */
export interface ScheduledCall {
  cancel(): void;
}

export interface Clock {
  /** Seconds since the epoch, fractional. */
  now(): number;
  /** Run `fn` once, `delaySeconds` from now. */
  callLater(delaySeconds: number, fn: () => void): ScheduledCall;
}

/** Wall-clock time and Node timers. Timers are unref'd: buffers alone never keep a process alive. */
export const systemClock: Clock = {
  now: () => Date.now() / 1000,
  callLater(delaySeconds, fn) {
    const t = setTimeout(fn, Math.max(0, delaySeconds * 1000));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

interface PendingCall {
  time: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told, with Twisted `task.Clock.advance` semantics: time jumps to the
 * target first, then every call due by then runs in (time, insertion) order, each seeing the new time.
 * Interop tests rely on this matching Python exactly.
 */
export class FakeClock implements Clock {
  private calls: PendingCall[] = [];

  constructor(private current = 0) {}

  now(): number {
    return this.current;
  }

  callLater(delaySeconds: number, fn: () => void): ScheduledCall {
    const call: PendingCall = { time: this.current + delaySeconds, fn, cancelled: false };
    // Stable insert after every call due at the same time or earlier (Python's sort is stable).
    let i = this.calls.length;
    while (i > 0 && this.calls[i - 1].time > call.time) i--;
    this.calls.splice(i, 0, call);
    return {
      cancel: () => {
        if (call.cancelled) return;
        call.cancelled = true;
        const at = this.calls.indexOf(call);
        if (at >= 0) this.calls.splice(at, 1);
      },
    };
  }

  advance(seconds: number): void {
    this.current += seconds;
    while (this.calls.length > 0 && this.calls[0].time <= this.current) {
      const call = this.calls.shift()!;
      call.cancelled = true;
      call.fn();
    }
  }

  /** Sets the time without running anything (used to start a scenario at an absolute epoch). */
  set(seconds: number): void {
    this.current = seconds;
  }

  pendingCount(): number {
    return this.calls.length;
  }
}
