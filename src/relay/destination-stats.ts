import type { Destination } from '../pipeline/route/destination.js';
import { stats } from '../instrumentation/counters.js';

/** carbon's destinationName: `('%s:%d:%s' % destination).replace('.', '_')`, instance None when absent. */
export function carbonDestinationName(d: Destination): string {
  return `${d.host}:${d.port}:${d.instance ?? 'None'}`.replace(/\./g, '_');
}

/**
 * A destination's counters under carbon's names (`destinations.<name>.<stat>`), accumulated in
 * plain fields on the hot path and handed to the shared `stats` once per batch: a Map update per
 * point would cost more than the send itself. Carbon's own stats first, then carbon-ts additions.
 */
export class DestinationStats {
  attemptedRelays = 0;
  sent = 0;
  batchesSent = 0;
  fullQueueDrops = 0;
  queuedUntilConnected = 0;
  /** max() stats, as carbon's instrumentation.max: the largest value seen in the interval. */
  relayMaxQueueLength = 0;
  queuedUntilReady = 0;
  // carbon-ts additions
  spilledPoints = 0;
  replayedPoints = 0;
  spillFullDrops = 0;
  resentPoints = 0;
  shutdownDrops = 0;
  unformattableDrops = 0;

  private readonly prefix: string;

  constructor(readonly name: string) {
    this.prefix = `destinations.${name}.`;
  }

  /** Moves accumulated counts into `stats` and zeroes them. */
  publish(): void {
    const p = this.prefix;
    const sums = ['attemptedRelays', 'sent', 'batchesSent', 'fullQueueDrops', 'queuedUntilConnected', 'spilledPoints', 'replayedPoints', 'spillFullDrops', 'resentPoints', 'shutdownDrops', 'unformattableDrops'] as const;
    for (const k of sums) {
      if (this[k] !== 0) {
        stats.increment(p + k, this[k]);
        this[k] = 0;
      }
    }
    for (const k of ['relayMaxQueueLength', 'queuedUntilReady'] as const) {
      if (this[k] !== 0) {
        // Counters reset each interval, so raising the counter to the max emulates instrumentation.max.
        const cur = stats.get(p + k);
        if (this[k] > cur) stats.increment(p + k, this[k] - cur);
        this[k] = 0;
      }
    }
  }
}
