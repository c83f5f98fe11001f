#!/usr/bin/python3
"""Ring fixtures for carbon-ts, made by the real carbon routing code (Debian graphite-carbon).

Run with Debian's interpreter:  /usr/bin/python3 scripts/gen-ring-fixtures.py [OUT_DIR]

Writes OUT_DIR (default test/fixtures/rings/):
  names.txt.gz       the metric names, one per line (UTF-8), deterministic (seeded)
  <shape>.json.gz    one routing shape: the settings, the DESTINATIONS strings, and for every name
                     the destinations carbon's router yields, in yielded order, as indexes into
                     DESTINATIONS (base-36 digits, one name per comma-separated group). For the
                     aggregated routers (whose yield order is a Python set's) the indexes are sorted,
                     and `aggregates` maps name index -> the aggregate names carbon's rules produce.

Debian ships no `mmh3` module, and carbon's mmh3_ch raises without it. The fixtures need what carbon
does *with* the module, so a small MurmurHash3 x86_32 (the algorithm mmh3.hash implements: seed 0,
signed result, UTF-8 bytes of a str) is registered as `mmh3` before carbon.hashing is imported, and
checked against values published for the real module first.
"""
import gzip
import json
import os
import random
import sys
import tempfile
import types


def murmur3_x86_32(key, seed=0):
    data = key.encode('utf-8') if isinstance(key, str) else bytes(key)
    c1, c2 = 0xcc9e2d51, 0x1b873593
    h = seed & 0xffffffff
    n = len(data)
    nblocks = n // 4
    for i in range(nblocks):
        k = int.from_bytes(data[4 * i:4 * i + 4], 'little')
        k = (k * c1) & 0xffffffff
        k = ((k << 15) | (k >> 17)) & 0xffffffff
        k = (k * c2) & 0xffffffff
        h ^= k
        h = ((h << 13) | (h >> 19)) & 0xffffffff
        h = (h * 5 + 0xe6546b64) & 0xffffffff
    tail = data[4 * nblocks:]
    k = 0
    if len(tail) >= 3:
        k ^= tail[2] << 16
    if len(tail) >= 2:
        k ^= tail[1] << 8
    if len(tail) >= 1:
        k ^= tail[0]
        k = (k * c1) & 0xffffffff
        k = ((k << 15) | (k >> 17)) & 0xffffffff
        k = (k * c2) & 0xffffffff
        h ^= k
    h ^= n
    h ^= h >> 16
    h = (h * 0x85ebca6b) & 0xffffffff
    h ^= h >> 13
    h = (h * 0xc2b2ae35) & 0xffffffff
    h ^= h >> 16
    return h - 0x100000000 if h & 0x80000000 else h


def install_mmh3():
    try:
        import mmh3  # noqa: F401  (a real module, if someone installed it, wins)
        return 'installed mmh3 module'
    except ImportError:
        pass
    module = types.ModuleType('mmh3')
    module.hash = lambda key, seed=0, signed=True: murmur3_x86_32(key, seed)
    # Published values of mmh3.hash (spec/carbon.md §4.3)
    assert module.hash('foo') == -156908512
    assert module.hash('foo.bar') == -154558337
    sys.modules['mmh3'] = module
    return 'pure-Python MurmurHash3 x86_32 standing in for mmh3'


MMH3_SOURCE = install_mmh3()

from carbon import hashing, routers, util  # noqa: E402
from carbon.aggregator.rules import RuleManager  # noqa: E402

AGGREGATION_RULES = """\
<env>.applications.<app>.all.requests (60) = sum <env>.applications.<app>.*.requests
<env>.applications.<app>.all.latency (60) = avg <env>.applications.<app>.*.latency
<prefix>.total.count (10) = sum <<prefix>>.*.count
stats.all.<metric> (60) = max stats.*.<metric>
"""

# Ring shapes: DESTINATIONS as carbon.conf would list them.
RINGS = {
    'three': ['10.0.0.1:2004:a', '10.0.0.2:2004:b', '10.0.0.3:2004:c'],
    'single': ['127.0.0.1:2004:a'],
    'pairs': ['127.0.0.1:2004:a', '127.0.0.1:2104:b', '127.0.0.2:2004:a', '127.0.0.2:2104:b'],
    'noinstance': ['10.1.0.1:2004', '10.1.0.2:2004', '10.1.0.3:2014', 'cache-4.example.com:2004', 'cache-5:2004'],
    'mixed': [
        '[::1]:2004:a', '[fe80::1]:2104:b', 'host-1:2004:c', 'host-1:2104:d', "o'brien:2004:e",
        'h"q:2004:f', 'back\\slash:2004', 'caf\u00e9:2004:\u00e9t\u00e9', '10.2.0.9:2004:', 'host-1:2204:g:h',
    ],
    'sameinstance': ['10.3.0.1:2004:a', '10.3.0.2:2004:a', '10.3.0.3:2004:b'],
}

# (name, method, hash type or None, replication factor, diverse, ring)
SHAPES = [
    ('ch-carbon-three-rf1', 'consistent-hashing', None, 1, True, 'three'),
    ('ch-carbon-three-rf2', 'consistent-hashing', 'carbon_ch', 2, True, 'three'),
    ('ch-carbon-single-rf2-nodiv', 'consistent-hashing', None, 2, False, 'single'),
    ('ch-carbon-single-rf2-div', 'consistent-hashing', None, 2, True, 'single'),
    ('ch-carbon-pairs-rf2-div', 'consistent-hashing', None, 2, True, 'pairs'),
    ('ch-carbon-pairs-rf2-nodiv', 'consistent-hashing', None, 2, False, 'pairs'),
    ('ch-carbon-noinstance-rf3-nodiv', 'consistent-hashing', 'carbon_ch', 3, False, 'noinstance'),
    ('ch-carbon-mixed-rf3-div', 'consistent-hashing', 'carbon_ch', 3, True, 'mixed'),
    ('ch-fnv-three-rf1', 'consistent-hashing', 'fnv1a_ch', 1, True, 'three'),
    ('ch-fnv-pairs-rf2-div', 'consistent-hashing', 'fnv1a_ch', 2, True, 'pairs'),
    ('ch-fnv-sameinstance-rf2-nodiv', 'consistent-hashing', 'fnv1a_ch', 2, False, 'sameinstance'),
    ('ch-fnv-mixed-rf3-nodiv', 'consistent-hashing', 'fnv1a_ch', 3, False, 'mixed'),
    ('ch-mmh3-three-rf1', 'consistent-hashing', 'mmh3_ch', 1, True, 'three'),
    ('ch-mmh3-mixed-rf2-div', 'consistent-hashing', 'mmh3_ch', 2, True, 'mixed'),
    ('ch-mmh3-pairs-rf3-nodiv', 'consistent-hashing', 'mmh3_ch', 3, False, 'pairs'),
    ('fast-mmh3-three-rf1', 'fast-hashing', None, 1, True, 'three'),
    ('fast-mmh3-mixed-rf2-div', 'fast-hashing', None, 2, True, 'mixed'),
    ('fast-mmh3-pairs-rf2-nodiv', 'fast-hashing', 'mmh3_ch', 2, False, 'pairs'),
    ('fast-carbon-mixed-rf1', 'fast-hashing', 'carbon_ch', 1, True, 'mixed'),
    ('fast-fnv-noinstance-rf2-div', 'fast-hashing', 'fnv1a_ch', 2, True, 'noinstance'),
    ('agg-carbon-three-rf1', 'aggregated-consistent-hashing', None, 1, True, 'three'),
    ('agg-carbon-mixed-rf2-div', 'aggregated-consistent-hashing', None, 2, True, 'mixed'),
    ('fastagg-mmh3-mixed-rf1', 'fast-aggregated-hashing', None, 1, True, 'mixed'),
]

SEGMENTS = ['servers', 'web01', 'web02', 'db', 'cpu', 'load', 'requests', 'latency', 'count', 'stats', 'prod',
            'applications', 'api', 'www01', 'www02', 'disk', 'sda', 'reads', 'memory', 'free', 'carbon', 'agents']
ODD_CHARS = ['\u00e9', '\u00fc', '\u4e2d', '\U0001f600', "'", '"', '\\', '-', '_', ':', '=', '~', '\u00a0', '\t']


def make_names(count, seed):
    rng = random.Random(seed)
    names = ['foo', 'foo.bar', 'carbon.agents.host-a.cpuUsage', 'servers.web01.cpu.load', 'a.b.c.d.e',
             'disk.sda.reads;host=web01;dc=us', 'my.metric;a=1;b=2', '\u00e9t\u00e9.temp', 'y', '']
    seen = set(names)
    while len(names) < count:
        kind = rng.random()
        parts = [rng.choice(SEGMENTS) if rng.random() < 0.6 else '%s%d' % (rng.choice(SEGMENTS), rng.randrange(1000))
                 for _ in range(rng.randint(1, 7))]
        if kind < 0.1:
            parts[rng.randrange(len(parts))] += ''.join(rng.choice(ODD_CHARS) for _ in range(rng.randint(1, 3)))
        name = '.'.join(parts)
        if kind > 0.95:
            name += ''.join(';%s=%s' % (rng.choice(SEGMENTS), rng.choice(SEGMENTS)) for _ in range(rng.randint(1, 3)))
        elif 0.85 < kind <= 0.95:
            env, app = rng.choice(['prod', 'dev']), rng.choice(['api', 'web', 'db'])
            name = '%s.applications.%s.%s.%s' % (env, app, rng.choice(['www01', 'www02', 'all']),
                                                 rng.choice(['requests', 'latency', 'errors']))
        elif 0.80 < kind <= 0.85:
            name = 'stats.%s.%s' % (rng.choice(['h1', 'h2', 'all']), rng.choice(['cpu', 'mem']))
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


class Settings(dict):
    __getattr__ = dict.__getitem__


def build_router(method, hash_type, rf, diverse, rules_path):
    settings = Settings(REPLICATION_FACTOR=rf, DIVERSE_REPLICAS=diverse, ROUTER_HASH_TYPE=hash_type)
    settings['aggregation-rules'] = rules_path
    if RuleManager.read_task.running:  # each aggregated router re-reads the rules and restarts the timer
        RuleManager.read_task.stop()
    return routers.DatapointRouter.plugins[method](settings)


def digit(i):
    return '0123456789abcdefghijklmnopqrstuvwxyz'[i]


def route_shape(name_list, method, hash_type, rf, diverse, ring, rules_path):
    dests = util.parseDestinations(RINGS[ring] if isinstance(ring, str) else ring)
    router = build_router(method, hash_type, rf, diverse, rules_path)
    for d in dests:
        router.addDestination(d)
    if method.startswith('fast'):
        ring_obj = router.hash_router.ring if 'aggregated' in method else router.ring
        keys = [ring_obj._hash(str(n)) for n in ring_obj.nodes]
        if len(set(keys)) != len(keys):
            return None, {}  # tied node hashes: carbon's order is a Python set's, unspecified
    aggregated = 'aggregated' in method
    groups, aggregates = [], {}
    for i, name in enumerate(name_list):
        out = [dests.index(d) for d in router.getDestinations(name)]
        if aggregated:
            out.sort()
            agg = [r.get_aggregate_metric(name) for r in RuleManager.rules]
            agg = [a for a in agg if a is not None]
            if agg:
                aggregates[i] = agg
        groups.append(''.join(digit(x) for x in out))
    return ','.join(groups), aggregates


def relay_normalized(name):
    """carbon RelayProcessor with TAG_RELAY_NORMALIZED: the parsed path, or the name on a parse error."""
    try:
        return util.TaggedSeries.parse(name).path
    except Exception:
        return name


def route_json():
    """--route-json: route {"names": [...], "shapes": [{RELAY_METHOD, ROUTER_HASH_TYPE, REPLICATION_FACTOR,
    DIVERSE_REPLICAS, DESTINATIONS, TAG_RELAY_NORMALIZED}]} read from stdin; print per shape {routes, aggregates} (live interop)."""
    doc = json.load(sys.stdin)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        rules_path = os.path.join(tmp, 'aggregation-rules.conf')
        with open(rules_path, 'w') as f:
            f.write(AGGREGATION_RULES)
        for s in doc['shapes']:
            names = doc['names']
            if s.get('TAG_RELAY_NORMALIZED'):
                names = [relay_normalized(n) for n in names]
            routes, aggregates = route_shape(names, s['RELAY_METHOD'], s['ROUTER_HASH_TYPE'],
                                             s['REPLICATION_FACTOR'], s['DIVERSE_REPLICAS'], s['DESTINATIONS'], rules_path)
            out.append({'routes': routes, 'aggregates': {str(k): v for k, v in aggregates.items()}})
    json.dump(out, sys.stdout, ensure_ascii=False)


def main():
    if sys.argv[1:2] == ['--route-json']:
        return route_json()
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'rings')
    count = int(os.environ.get('RING_FIXTURE_NAMES', '12000'))
    os.makedirs(out_dir, exist_ok=True)
    names = make_names(count, 20261125)
    with gzip.GzipFile(os.path.join(out_dir, 'names.txt.gz'), 'wb', mtime=0) as f:
        f.write('\n'.join(names).encode('utf-8'))
    with tempfile.TemporaryDirectory() as tmp:
        rules_path = os.path.join(tmp, 'aggregation-rules.conf')
        with open(rules_path, 'w') as f:
            f.write(AGGREGATION_RULES)
        for shape, method, hash_type, rf, diverse, ring in SHAPES:
            routes, aggregates = route_shape(names, method, hash_type, rf, diverse, ring, rules_path)
            assert routes is not None, 'fast ring with tied node hashes: order would be unspecified'
            doc = {
                'shape': shape,
                'generator': 'scripts/gen-ring-fixtures.py with Debian graphite-carbon carbon.routers (%s)' % MMH3_SOURCE,
                'RELAY_METHOD': method,
                'ROUTER_HASH_TYPE': hash_type,
                'REPLICATION_FACTOR': rf,
                'DIVERSE_REPLICAS': diverse,
                'DESTINATIONS': RINGS[ring],
                'AGGREGATION_RULES': AGGREGATION_RULES if 'aggregated' in method else None,
                'orderIsSet': 'aggregated' in method,
                'routes': routes,
                'aggregates': {str(k): v for k, v in aggregates.items()},
            }
            with gzip.GzipFile(os.path.join(out_dir, shape + '.json.gz'), 'wb', mtime=0) as f:
                f.write(json.dumps(doc, ensure_ascii=False, sort_keys=True).encode('utf-8'))
    print('%d names x %d shapes -> %s' % (len(names), len(SHAPES), out_dir))


if __name__ == '__main__':
    main()
