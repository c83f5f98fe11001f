import { describe, expect, it } from 'vitest';
import { createRouter, type RoutingSettings } from '../../src/pipeline/route/create-router.js';
import { ConsistentHashRing } from '../../src/pipeline/route/consistent-hash-ring.js';
import { RoutingConfigError } from '../../src/pipeline/route/errors.js';
import { parseDestinations } from '../../src/pipeline/route/parse-destination.js';
import { RouteMemo } from '../../src/pipeline/route/route-memo.js';

const THREE = parseDestinations(['10.0.0.1:2004:a', '10.0.0.2:2004:b', '10.0.0.3:2004:c']);
const base: RoutingSettings = {
  RELAY_METHOD: 'consistent-hashing',
  DESTINATIONS: THREE,
  REPLICATION_FACTOR: 1,
  DIVERSE_REPLICAS: true,
  ROUTER_HASH_TYPE: null,
  TAG_RELAY_NORMALIZED: false,
};
const instances = (s: Partial<RoutingSettings>, m: string): string =>
  createRouter({ ...base, ...s })
    .getDestinations(m)
    .map((d) => d.instance)
    .join(',');

describe('consistent ring layout (spec/carbon.md §4.3, from carbon 1.1.7)', () => {
  it('places the 3-node carbon_ch ring as carbon does', () => {
    const ring = new ConsistentHashRing(THREE, 'carbon_ch');
    const names = ['a', 'b', 'c'];
    const fmt = (e: [number, number]): string => `(${e[0]},${names[e[1]]})`;
    const entries = ring.entries();
    expect(entries.length).toBe(300);
    expect(entries.slice(0, 6).map(fmt).join(' ')).toBe('(164,b) (332,a) (485,a) (635,c) (644,c) (777,a)');
    expect(entries.slice(-2).map(fmt).join(' ')).toBe('(65106,a) (65223,b)');
    const fnv = new ConsistentHashRing(THREE, 'fnv1a_ch').entries();
    expect(fnv.slice(0, 6).map(fmt).join(' ')).toBe('(218,b) (329,c) (536,b) (611,a) (991,b) (1100,c)');
  });
  it('bumps colliding fnv1a_ch positions by one in insertion order', () => {
    const ring = new ConsistentHashRing(parseDestinations(['h1:1:a', 'h2:1:a']), 'fnv1a_ch').entries();
    expect(ring.slice(0, 4)).toEqual([[611, 0], [612, 1], [1625, 0], [1626, 1]]);
  });
});

describe('routing table (spec/carbon.md §4.7)', () => {
  it('matches the published cells', () => {
    expect(instances({ REPLICATION_FACTOR: 2 }, 'foo')).toBe('c,a');
    expect(instances({ ROUTER_HASH_TYPE: 'fnv1a_ch', REPLICATION_FACTOR: 2 }, 'été.temp')).toBe('b,a');
    expect(instances({ ROUTER_HASH_TYPE: 'mmh3_ch' }, 'servers.web01.cpu.load')).toBe('b');
    expect(instances({ RELAY_METHOD: 'fast-hashing', REPLICATION_FACTOR: 2 }, 'foo.bar')).toBe('b,c');
    expect(instances({ RELAY_METHOD: 'fast-hashing', ROUTER_HASH_TYPE: 'carbon_ch' }, 'servers.web01.cpu.load')).toBe('c');
  });
  it('keeps DIVERSE_REPLICAS to distinct hosts', () => {
    const pairs = parseDestinations(['127.0.0.1:2004:a', '127.0.0.1:2104:b', '127.0.0.2:2004:a']);
    const keys = (diverse: boolean, m: string): string[] =>
      createRouter({ ...base, DESTINATIONS: pairs, REPLICATION_FACTOR: 2, DIVERSE_REPLICAS: diverse })
        .getDestinations(m)
        .map((d) => d.key);
    expect(keys(true, 'y')).toEqual(['127.0.0.1:2004:a', '127.0.0.2:2004:a']);
    expect(keys(false, 'y')).toEqual(['127.0.0.1:2004:a', '127.0.0.1:2104:b']);
    expect(keys(true, 'foo')).toEqual(['127.0.0.2:2004:a', '127.0.0.1:2004:a']);
  });
  it('routes inputs of one aggregate together (aggregated-consistent-hashing)', () => {
    const aggregateNamesOf = (m: string): string[] => {
      const x = /^(\w+)\.applications\.(\w+)\.[^.]+\.requests$/.exec(m);
      return x ? [`${x[1]}.applications.${x[2]}.all.requests`] : [];
    };
    const r = createRouter({ ...base, RELAY_METHOD: 'aggregated-consistent-hashing', aggregateNamesOf });
    for (const m of ['prod.applications.api.www01.requests', 'prod.applications.api.www02.requests', 'prod.applications.api.all.requests']) {
      expect(r.getDestinations(m).map((d) => d.instance)).toEqual(['c']);
    }
    expect(r.explain('prod.applications.api.www01.requests')[0].summary).toMatch(/prod.applications.api.all.requests/);
  });
});

describe('router behaviour', () => {
  it('sends once to a single node even when carbon yields it twice', () => {
    const one = parseDestinations(['127.0.0.1:2004:a']);
    const r = createRouter({ ...base, DESTINATIONS: one, REPLICATION_FACTOR: 2, DIVERSE_REPLICAS: false });
    expect(r.getDestinations('x')).toEqual([one[0]]);
  });
  it('memoises: the same frozen array for the same name and shared arrays across names', () => {
    const r = createRouter(base);
    const a = r.getDestinations('servers.web01.cpu.load');
    expect(r.getDestinations('servers.web01.cpu.load')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    const other = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7'].map((m) => r.getDestinations(m));
    expect(new Set(other).size).toBeLessThanOrEqual(3);
  });
  it('bounds the memo, dropping the oldest entries', () => {
    const memo = new RouteMemo(2);
    memo.set('a', []);
    memo.set('b', []);
    memo.set('c', []);
    expect(memo.size).toBe(2);
    expect(memo.get('a')).toBeUndefined();
    expect(memo.get('c')).toEqual([]);
  });
  it('normalises tagged names first with TAG_RELAY_NORMALIZED', () => {
    const plain = createRouter(base);
    const tagged = createRouter({ ...base, TAG_RELAY_NORMALIZED: true });
    expect(tagged.getDestinations('some.metric;tag2=b;tag1=a')).toEqual(plain.getDestinations('some.metric;tag1=a;tag2=b'));
    // a name carbon cannot parse is routed unchanged
    expect(tagged.getDestinations('bad;=x')).toEqual(plain.getDestinations('bad;=x'));
    expect(tagged.explain('m;b=1;a=2')[0].summary).toBe('TAG_RELAY_NORMALIZED: routed as m;a=2;b=1');
  });
  it('refuses what carbon refuses', () => {
    expect(() => createRouter({ ...base, RELAY_METHOD: 'nope' })).toThrow(/RELAY_METHOD must be one of rules, consistent-hashing/);
    expect(() => createRouter({ ...base, DESTINATIONS: parseDestinations(['h:1:a', 'h:2:a']) })).toThrow(RoutingConfigError);
    expect(() => createRouter({ ...base, RELAY_METHOD: 'rules' })).toThrow(/relay-rules.conf path/);
  });
});

describe('aggregated routing follows reloaded aggregation rules', () => {
  it('answers with the current rules, not a memoised past answer', () => {
    let rules: (m: string) => string[] = () => [];
    const r = createRouter({ ...base, RELAY_METHOD: 'aggregated-consistent-hashing', aggregateNamesOf: (m) => rules(m) });
    const metric = 'prod.applications.api.www01.requests';
    const before = r.getDestinations(metric);
    expect(before.map((d) => d.instance)).toEqual(['b']); // by its own name
    rules = () => ['prod.applications.api.all.requests'];
    expect(r.getDestinations(metric).map((d) => d.instance)).toEqual(['c']);
  });
});

describe('carbon-c-relay carbon_ch vs carbon carbon_ch', () => {
  // 12 servers 10.0.0.1..12:2003, replication 2; values printed by `carbon-c-relay -t` (3.7.3) and by
  // carbon.hashing.ConsistentHashRing: they part where carbon bumps a colliding position and c-relay does not.
  const D = parseDestinations(Array.from({ length: 12 }, (_, i) => `10.0.0.${i + 1}:2003`));
  const hosts = (type: string, m: string): string =>
    createRouter({ ...base, DESTINATIONS: D, REPLICATION_FACTOR: 2, DIVERSE_REPLICAS: false, ROUTER_HASH_TYPE: type })
      .getDestinations(m)
      .map((d) => d.host.slice(7))
      .join();
  it('follows each implementation where they differ', () => {
    expect(hosts('carbon-c-relay:carbon_ch', 'm.46')).toBe('9,12');
    expect(hosts('carbon_ch', 'm.46')).toBe('7,9');
    expect(hosts('carbon-c-relay:carbon_ch', 'm.244')).toBe('12,3');
    expect(hosts('carbon_ch', 'm.244')).toBe('5,12');
    expect(hosts('carbon-c-relay:carbon_ch', 'm.246')).toBe('3,2');
    expect(hosts('carbon_ch', 'm.246')).toBe('3,8');
  });
  it('refuses an unknown carbon-c-relay type', () => {
    expect(() => createRouter({ ...base, ROUTER_HASH_TYPE: 'carbon-c-relay:nope' })).toThrow(/not a carbon-c-relay cluster type/);
  });
});

describe('carbon-c-relay fnv1a_ch on one host', () => {
  it('accepts ports of one host without instances (c-relay keys servers by host:port) and spreads over them', () => {
    const D = parseDestinations(['127.0.0.1:2003', '127.0.0.1:2004', '127.0.0.1:2005']);
    const r = createRouter({ ...base, DESTINATIONS: D, ROUTER_HASH_TYPE: 'carbon-c-relay:fnv1a_ch' });
    const used = new Set(Array.from({ length: 200 }, (_, i) => r.getDestinations(`m.${i}`)[0].port));
    expect(used).toEqual(new Set([2003, 2004, 2005]));
    expect(() => createRouter({ ...base, DESTINATIONS: parseDestinations(['h:1', 'h:1:a']), ROUTER_HASH_TYPE: 'carbon-c-relay:fnv1a_ch' })).toThrow(/h:1 is listed twice/);
  });
});
