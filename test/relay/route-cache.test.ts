import { describe, expect, it } from 'vitest';
import { MetricBatch } from '../../src/pipeline/batch.js';
import type { Destination, Router } from '../../src/pipeline/route/destination.js';
import { DestinationManager } from '../../src/relay/destination-manager.js';
import { receivedNames } from '../../src/protocol/received-names.js';
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

/** The receivers' slot for a name, as a plaintext or pickle receiver would tag its points. */
function slotOf(name: string): number {
  const bytes = Buffer.from(name, 'latin1');
  return receivedNames.slotOf(bytes, 0, bytes.length);
}

describe('per-slot route cache', () => {
  it('asks the router once per name, and never sends a renamed point where its slot\'s name goes', () => {
    const dests = [destination(1), destination(2)];
    const m = new DestinationManager(dests, { spillEnabled: false, maxQueueSize: 1000 });
    const router = splitRouter(dests);
    const one = slotOf('a.one');
    const batch = new MetricBatch(8);
    batch.pushNamed('a.one', one, 1, 10);
    batch.pushNamed('a.one', one, 2, 10);
    // A stage renamed this point and kept the slot: it must be routed by its own name.
    batch.pushNamed('b.two', one, 3, 10);
    batch.pushNamed('a.one', one, 4, 10);
    batch.pushNamed('b.three', -1, 5, 10);
    m.send(batch, router);
    const [c1, c2] = m.clients;
    expect(c1!.queueSize).toBe(3);
    expect(c2!.queueSize).toBe(2);
    expect(router.calls).toBe(3); // a.one once, b.two (renamed), b.three (no slot)
    const again = new MetricBatch(2);
    again.pushNamed('a.one', slotOf('a.one'), 6, 20);
    m.send(again, router);
    expect(router.calls).toBe(3);
    expect(c1!.queueSize).toBe(4);
    // Another router: routes are asked for again.
    const other = splitRouter(dests);
    m.send(again, other);
    expect(other.calls).toBe(1);
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
