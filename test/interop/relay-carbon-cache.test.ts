/**
 * carbon-ts relay destinations in front of three real Python carbon-cache daemons: one cache is
 * stopped mid-stream for an outage (RELAY_OUTAGE_SECONDS, default 8; the "a minute" is
 * RELAY_OUTAGE_SECONDS=60), the relay itself is restarted during the outage (its spill carries
 * over), the cache comes back, and every point must end up exactly once in the Whisper file of the
 * node Python's ConsistentHashRing names (read back with /usr/bin/python3 whisper).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MetricBatch } from '../../src/pipeline/batch.js';
import { createRouter } from '../../src/pipeline/route/create-router.js';
import { makeDestination } from '../../src/pipeline/route/parse-destination.js';
import { DestinationManager } from '../../src/relay/destination-manager.js';
import type { DestinationOptions } from '../../src/relay/options.js';
import { runPython } from '../relay/python-oracle.js';
import { sleep, tempDir, until } from '../relay/helpers.js';
import { PythonCarbonCache } from '../helpers/python-carbon.js';

const OUTAGE_SECONDS = Number(process.env.RELAY_OUTAGE_SECONDS ?? 8);
const SERIES = 30;
const STEPS = 300;
const STEP_MS = 40;
const INSTANCES = ['a', 'b', 'c'];

const work = tempDir('relay-interop-');
const caches: PythonCarbonCache[] = [];
afterAll(async () => {
  for (const c of caches) await c.stop();
  work.remove();
});

describe('relay destinations → Python carbon-cache', () => {
  it(`loses nothing when a cache is down for ${OUTAGE_SECONDS} s and the relay restarts meanwhile`, async () => {
    for (const inst of INSTANCES) {
      const c = new PythonCarbonCache(join(work.path, `cache-${inst}`), inst);
      caches.push(c);
    }
    await Promise.all(caches.map((c) => c.start()));
    const dests = caches.map((c, i) => makeDestination('127.0.0.1', c.picklePort, INSTANCES[i]!));
    const router = createRouter({ RELAY_METHOD: 'consistent-hashing', DESTINATIONS: dests, REPLICATION_FACTOR: 1, DIVERSE_REPLICAS: true, ROUTER_HASH_TYPE: null, TAG_RELAY_NORMALIZED: false });
    const options: Partial<DestinationOptions> = {
      protocol: 'pickle',
      maxQueueSize: 1000,
      spillDir: join(work.path, 'spill'),
      reconnectInitialDelayMs: 100,
      reconnectMaxDelayMs: 500,
      replayMaxPointsPerSecond: 5000,
    };
    let manager = new DestinationManager(dests, options);
    manager.start();

    const names = Array.from({ length: SERIES }, (_, s) => `interop.relay.host${s % 7}.metric${s}`);
    const base = Math.floor(Date.now() / 1000) - 3600;
    const victim = caches[1]!;
    const outageStart = 60;
    const outageSteps = Math.ceil((OUTAGE_SECONDS * 1000) / STEP_MS);
    const batch = new MetricBatch(SERIES);
    for (let k = 0; k < STEPS + outageSteps; k++) {
      if (k === outageStart) await victim.stop();
      if (k === outageStart + Math.floor(outageSteps / 2)) {
        // The relay itself restarts during the outage: its memory queues go to the spill and come back.
        await manager.stop();
        manager = new DestinationManager(dests, options);
        manager.start();
      }
      if (k === outageStart + outageSteps) await victim.start();
      batch.clear();
      for (let s = 0; s < SERIES; s++) batch.push(names[s]!, s * 100_000 + k, base + k);
      manager.send(batch, router);
      await sleep(STEP_MS);
    }
    const drained = await until(() => manager.clients.every((c) => c.isConnected && c.queueSize === 0 && c.spilledPoints === 0), 60_000);
    expect(drained).toBe(true);
    await sleep(500);
    await manager.stop();
    // carbon-cache's writer passes run a second apart and SIGTERM ends them without a last pass:
    // give it time to write what it has received before stopping it.
    await sleep(2500);
    for (const c of caches) await c.stop();

    // Where Python's ring puts each series, and what every node's Whisper files hold.
    const py = runPython(
      `
import json, os, sys, whisper
from carbon.hashing import ConsistentHashRing
args = json.loads(sys.stdin.read())
ring = ConsistentHashRing([], hash_type='carbon_ch')
for inst in args['instances']:
    ring.add_node(('127.0.0.1', inst))
out = {'expected': {n: ring.get_node(n)[1] for n in args['names']}, 'found': {}}
for inst, root in zip(args['instances'], args['roots']):
    for dirpath, _, files in os.walk(root):
        for f in files:
            if not f.endswith('.wsp'):
                continue
            path = os.path.join(dirpath, f)
            name = os.path.relpath(path, root)[:-4].replace('/', '.')
            (start, end, step), values = whisper.fetch(path, args['from'], args['until'])
            pts = [[start + i * step, v] for i, v in enumerate(values) if v is not None]
            out['found'].setdefault(name, {})[inst] = pts
print(json.dumps(out))
`,
      JSON.stringify({ instances: INSTANCES, roots: caches.map((c) => join(c.dir, 'storage', 'whisper')), names, from: base - 1, until: base + STEPS + outageSteps + 1 }),
    );
    const { expected, found } = JSON.parse(py.toString()) as { expected: Record<string, string>; found: Record<string, Record<string, [number, number][]>> };
    let total = 0;
    for (let s = 0; s < SERIES; s++) {
      const name = names[s]!;
      const nodes = Object.keys(found[name] ?? {});
      expect(nodes, name).toEqual([expected[name]]);
      const pts = found[name]![expected[name]!]!;
      const want = Array.from({ length: STEPS + outageSteps }, (_, k) => [base + k, s * 100_000 + k]);
      expect(pts, name).toEqual(want);
      total += pts.length;
    }
    expect(total).toBe(SERIES * (STEPS + outageSteps));
    expect(Object.values(expected)).toContain('b'); // the stopped node owned some series
  });
});
