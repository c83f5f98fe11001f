import { describe, expect, it } from 'vitest';
import { MetricBatch } from '../../src/pipeline/batch.js';
import type { Destination, Router } from '../../src/pipeline/route/destination.js';
import { DestinationManager } from '../../src/relay/destination-manager.js';
import { destination } from './helpers.js';

/** A pure router sending names that start with `a` to the first destination, the rest to the second. */
function splitRouter(dests: Destination[]): Router & { calls: number } {
  const first = [dests[0]!];
  const second = [dests[1]!];
  return {
    pureRoutes: true,
    calls: 0,
    getDestinations(metric: string) {
      this.calls++;
      return metric.startsWith('a') ? first : second;
    },
  };
}

describe('per-slot route cache', () => {
  it('asks the router once per name and slot, and never sends a name where another name of the same slot goes', () => {
    const dests = [destination(1), destination(2)];
    const m = new DestinationManager(dests, { spillEnabled: false, maxQueueSize: 1000 });
    const router = splitRouter(dests);
    const batch = new MetricBatch(8);
    // Slot 7 holds "a.one", then "b.two" (the interner reused it), then "a.one" again; -1 = no slot.
    batch.pushNamed('a.one', 7, 1, 10);
    batch.pushNamed('a.one', 7, 2, 10);
    batch.pushNamed('b.two', 7, 3, 10);
    batch.pushNamed('a.one', 7, 4, 10);
    batch.pushNamed('b.three', -1, 5, 10);
    m.send(batch, router);
    const [c1, c2] = m.clients;
    expect(c1!.queueSize).toBe(3);
    expect(c2!.queueSize).toBe(2);
    expect(router.calls).toBe(4); // a.one, b.two, a.one (slot taken back), b.three (no slot)
  });

  it('is not used for a router that does not declare pure routes', () => {
    const dests = [destination(1), destination(2)];
    const m = new DestinationManager(dests, { spillEnabled: false, maxQueueSize: 1000 });
    const router = { ...splitRouter(dests), pureRoutes: false };
    const batch = new MetricBatch(4);
    batch.pushNamed('a.one', 3, 1, 10);
    batch.pushNamed('a.one', 3, 2, 10);
    m.send(batch, router);
    expect(router.calls).toBe(2);
    expect(m.clients[0]!.queueSize).toBe(2);
  });
});
