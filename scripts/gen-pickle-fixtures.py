#!/usr/bin/python3
"""Golden pickle fixtures for carbon-ts's unit tests, made by the reference itself.

Run with Debian's interpreter (it has graphite-carbon installed):
    /usr/bin/python3 scripts/gen-pickle-fixtures.py

Writes test/fixtures/pickle/cases.json:
  decoder: pickles of a value corpus under protocols 0-5 (plus truncations and corruptions), each
           with what carbon's SafeUnpickler made of it: a tagged value, or the exception class and
           whether MetricPickleReceiver catches it (caught = frame skipped, else connection dropped);
  payloads: metric payloads run through carbon's own MetricPickleReceiver.stringReceived: the
           points that reached events.metricReceived, the log lines and whether the connection dropped.
"""
import json
import math
import os
import pickle
import random

from carbon import events, log, state
from carbon.protocols import MetricPickleReceiver
from carbon.util import SafeUnpickler


class _NoStats(object):
    # carbon's own metricReceived handler counts into state.instrumentation, which only a running daemon has.
    def increment(self, *args, **kwargs):
        pass


state.instrumentation = _NoStats()

CAUGHT = (pickle.UnpicklingError, ValueError, IndexError, ImportError, KeyError, EOFError)


def enc(o):
    if o is None or isinstance(o, bool):
        return o
    if isinstance(o, int):
        return {"int": str(o)}
    if isinstance(o, float):
        return {"float": repr(o)}
    if isinstance(o, str):
        return {"str": o}
    if isinstance(o, bytes):
        return {"bytes": o.hex()}
    if isinstance(o, list):
        return [enc(x) for x in o]
    if isinstance(o, tuple):
        return {"tuple": [enc(x) for x in o]}
    if isinstance(o, dict):
        return {"dict": [[enc(k), enc(v)] for k, v in o.items()]}
    if isinstance(o, (set, frozenset)):
        return {type(o).__name__: [enc(x) for x in o]}
    if isinstance(o, bytearray):
        return {"bytearray": o.hex()}
    return {"other": type(o).__name__}


def outcome(data):
    try:
        return {"ok": enc(SafeUnpickler.loads(data))}
    except CAUGHT as e:
        return {"error": type(e).__name__, "caught": True}
    except Exception as e:
        return {"error": type(e).__name__, "caught": False}


VALUES = [
    None, True, False, 0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -2**31, 2**31, -2**31 - 1, 2**53 + 1, 2**64, -10**30, 2**300,
    0.0, -0.0, 1.5, -2.5e-300, 1e300, float('inf'), float('-inf'), 1700000000.0,
    'x', '', 'caf\u00e9 \u2028 \U0001f600', 'back\\slash\nnew"quote\'',
    [], [1], [1, 2], list(range(1005)), (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4),
    {}, {'a': 1}, {'a': 1, 'b': [1, 2]}, {(1, 'k'): None, 3.5: True},
    [('m.a', (1700000000.0, 1.5)), ('m.b', (1700000001, 2)), ['m.c', ['1700000002', '3.5']]],
    {'type': 'cache-query', 'metric': 'a.b'}, {'type': 'cache-query-bulk', 'metrics': ['a.b', 'c.d']},
    b'', b'\x00\xffabc',
]

PAYLOADS = [
    [('m.a', (1700000000, 2)), ('m.b', [1700000000.5, '3.25'])],
    [['m.a', ['1_700_000_000', ' 6.5 ']]],
    [('m.a', ('\u0663\u0660', 'inf')), ('m.b', ('1e3', '-INFINITY'))],
    [('m.a', (None, 1)), ('m.b', ('abc', 1)), ('m.c', ([1], 2)), ('m.d', (1, {})), ('m.e', (1, 5))],
    [('m.a', (1, float('nan'))), ('m.b', (2, 3))],
    [('m.a', (1, 2)), ('m.b', (float('nan'), 1)), ('m.c', (3, 4))],
    [('m.a', (1, 2)), ('m.b', (float('inf'), 1)), ('m.c', (3, 4))],
    [('m.a', 1), ('m.b',), ('m.c', (1, 2, 3)), ('m.d', (1,)), 'xy', 7, None, ('m.e', (5, 6))],
    [('m.a', '12'), ('m.b', 'x'), ('m.c', {'k1': 1, 'k2': 2})],
    [('m.a', (2**2000, 1)), ('m.b', (1, 2))],
    [('m.a', (1, 2)), (5, (1, 2)), ('m.c', (1, 2))],
    [(b'm.bytes', (1, 2))],
    5, None, 'abc', {'m.a': (1, 2)}, (('m.a', (1, 2)),), [],
    [('name with spaces', (1, 2)), ('', (5, 6))],
]


def run_receiver(data, receiver_class=MetricPickleReceiver):
    """Feeds one frame to a carbon receiver's stringReceived (pickle by default; protobuf works too)."""
    logs, points = [], []
    log.listener = logs.append
    show = lambda x: x if math.isfinite(x) else repr(x)
    handler = lambda m, dp: points.append([m, show(dp[0]), show(dp[1])])
    events.metricReceived.addHandler(handler)
    try:
        r = receiver_class()
        r.unpickler = SafeUnpickler
        r.peerName = 'peer'
        dropped = False
        try:
            r.stringReceived(data)
        except Exception:
            dropped = True
        return {"points": points, "logs": logs, "dropped": dropped}
    finally:
        events.metricReceived.removeHandler(handler)


def main():
    rnd = random.Random(42)
    decoder = []
    for proto in range(6):
        for v in VALUES:
            data = pickle.dumps(v, protocol=proto)
            decoder.append({"proto": proto, "hex": data.hex(), "expected": outcome(data)})
    for proto in (0, 2, 5):
        seed = pickle.dumps([('m.a', (1700000000.0, 1.5)), {'k': ['v', (1, 2, 3, 4)]}, 'caf\u00e9', -2**70], protocol=proto)
        for n in range(0, len(seed), 3):
            decoder.append({"proto": proto, "hex": seed[:n].hex(), "expected": outcome(seed[:n])})
        for _ in range(60):
            b = bytearray(seed)
            for _ in range(rnd.randint(1, 3)):
                b[rnd.randrange(len(b))] = rnd.randrange(256)
            o = outcome(bytes(b))
            if o.get("error") != "MemoryError":
                decoder.append({"proto": proto, "hex": bytes(b).hex(), "expected": o})
    payloads = []
    for proto in range(6):
        for p in PAYLOADS:
            data = pickle.dumps(p, protocol=proto)
            payloads.append({"proto": proto, "hex": data.hex(), "expected": run_receiver(data)})
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'pickle', 'cases.json')
    with open(out, 'w') as f:
        json.dump({"generator": "scripts/gen-pickle-fixtures.py", "decoder": decoder, "payloads": payloads}, f, separators=(',', ':'))
        f.write('\n')
    print('wrote %s: %d decoder cases, %d payload cases' % (os.path.normpath(out), len(decoder), len(payloads)))


if __name__ == '__main__':
    main()
