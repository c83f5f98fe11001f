import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseOptions, cleanup, python, type RunningDaemon, sendTcp, sleep, startDaemon, surveyWhisper, tempDir, writeConfig } from '../helpers/daemon.js';
import { PythonCarbonCache } from '../helpers/python-carbon.js';

/**
 * `carbon-ts relay` (the daemon, from its carbon.conf) in front of three real Python carbon-cache
 * daemons: every point must land in the Whisper file of the node that Python carbon's own router names.
 */
const caches: PythonCarbonCache[] = [];
const running: RunningDaemon[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop('SIGKILL');
  for (const c of caches.splice(0)) await c.stop();
  for (const d of dirs.splice(0)) cleanup(d);
});

/** What Python carbon's router says for each name: the destination strings in order. */
function pythonRoutes(destinations: string[], names: string[], replication: number): Record<string, string[]> {
  const out = python(
    `import json, sys
from carbon.conf import settings
settings['REPLICATION_FACTOR'] = ${replication}
settings['DIVERSE_REPLICAS'] = True
settings['ROUTER_HASH_TYPE'] = None
from carbon.routers import ConsistentHashingRouter
from carbon.util import parseDestinations
r = ConsistentHashingRouter(settings)
for d in parseDestinations(${JSON.stringify(destinations)}):
    r.addDestination(d)
res = {}
for n in json.loads(sys.stdin.read()):
    res[n] = ['%s:%d:%s' % d for d in r.getDestinations(n)]
print(json.dumps(res))`,
    JSON.stringify(names),
  );
  return JSON.parse(out) as Record<string, string[]>;
}

async function waitForPoints(dataDirs: string[], expected: number, timeoutMs = 40_000) {
  let total = 0;
  for (const end = Date.now() + timeoutMs; Date.now() < end; ) {
    total = dataDirs.map((d) => [...surveyWhisper(d).values()].reduce((a, f) => a + f.points, 0)).reduce((a, b) => a + b, 0);
    if (total >= expected) return total;
    await sleep(1000);
  }
  return total;
}

describe('carbon-ts relay → three Python carbon-cache daemons', () => {
  for (const protocol of ['pickle', 'line'] as const) {
    it(`places every series on the node Python carbon's ring names (${protocol} out)`, async () => {
      const dir = tempDir();
      dirs.push(dir);
      const nodes = ['a', 'b', 'c'].map((i) => new PythonCarbonCache(join(dir, `cache-${i}`), i));
      caches.push(...nodes);
      await Promise.all(nodes.map((n) => n.start()));
      const destinations = nodes.map((n) => `127.0.0.1:${protocol === 'pickle' ? n.picklePort : n.linePort}:${n.instance}`);
      const conf = writeConfig(dir, {
        relay: {
          ...baseOptions(dir),
          RELAY_METHOD: 'consistent-hashing',
          DESTINATIONS: destinations.join(', '),
          DESTINATION_PROTOCOL: protocol,
        },
      });
      const relay = await startDaemon('relay', conf, dir);
      running.push(relay);

      const names = Array.from({ length: 150 }, (_, i) => `relay.e2e.${protocol}.host${i % 13}.metric${i}`);
      const t0 = Math.floor(Date.now() / 1000) - 100;
      let text = '';
      for (let p = 0; p < 3; p++) for (const n of names) text += `${n} ${p + 0.5} ${t0 + p}\n`;
      await sendTcp(relay.ports.line!, text);
      const total = await waitForPoints(nodes.map((n) => n.dataDir), names.length * 3);
      expect(total).toBe(names.length * 3);
      expect(await relay.stop()).toBe(0);

      const routes = pythonRoutes(destinations, names, 1);
      const surveys = nodes.map((n) => surveyWhisper(n.dataDir));
      for (const name of names) {
        const [want] = routes[name]!;
        const holders = nodes.filter((_, i) => surveys[i]!.has(name)).map((n) => destinations[nodes.indexOf(n)]);
        expect(holders, name).toEqual([want]);
        expect(surveys[nodes.findIndex((_, i) => destinations[i] === want)]!.get(name)!.points, name).toBe(3);
      }
    });
  }
});
