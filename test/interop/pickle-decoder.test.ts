import { describe, expect, it } from 'vitest';
import { PickleDecodeError, UnsafePickleError } from '../../src/protocol/errors.js';
import { decodePickle } from '../../src/protocol/pickle-decoder.js';
import { compareDecoder, decodeOutcome, type Outcome } from '../protocol/helpers/pickle-compare.js';
import { CAUGHT_BY_CARBON, PY_PICKLE_HELPERS, runPython } from '../protocol/helpers/python-oracle.js';

const SAFE_LOADS = PY_PICKLE_HELPERS;

const VALUES = `[
  None, True, False, 0, 1, -1, 255, 256, 65535, 65536, 2**31-1, -2**31, 2**31, -2**31-1, 2**53+1, 2**63, -2**63-1, 2**64, 10**30, -10**30, 2**2000,
  0.0, -0.0, 1.5, -2.5e-300, 1e300, float('inf'), float('-inf'), 1700000000.0,
  'x', '', 'caf\\u00e9 \\u2028 \\U0001f600', 'a'*300, 'back\\\\slash\\nnew"quote\\'',
  [], [1], [1, 2], list(range(2500)), (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4),
  {}, {'a': 1}, {'a': 1, 'b': [1, 2]}, {i: str(i) for i in range(1500)}, {(1, 'k'): None, 3.5: True},
  [('m.a', (1700000000.0, 1.5)), ('m.b', (1700000001, 2)), ['m.c', ['1700000002', '3.5']]],
  {'type': 'cache-query', 'metric': 'a.b'}, {'type': 'cache-query-bulk', 'metrics': ['a.b', 'c.d']},
]`;

describe('restricted unpickler against Python pickle + carbon SafeUnpickler', () => {
  it('decodes every protocol 0-5 pickle of the value corpus as Python does', () => {
    const cases = runPython<{ proto: number; hex: string; expected: Outcome }[]>(`
${SAFE_LOADS}
shared = [1, 'shared']
deep = []
cur = deep
for _ in range(200):
    nxt = []
    cur.append(nxt)
    cur = nxt
values = ${VALUES} + [[shared, shared, (shared,)], deep, b'', b'\\x00\\xffabc']
out = []
for proto in range(6):
    for v in values:
        data = pickle.dumps(v, protocol=proto)
        out.append({"proto": proto, "hex": data.hex(), "expected": outcome(data)})
print(json.dumps(out))
`);
    expect(cases.length).toBeGreaterThan(300);
    const failures: string[] = [];
    for (const c of cases) {
      const d = compareDecoder(Buffer.from(c.hex, 'hex'), c.expected);
      if (d) failures.push(`proto ${c.proto} ${c.hex.slice(0, 60)}: ${d}`);
    }
    expect(failures).toEqual([]);
  });

  it('shares memoized objects as Python does', () => {
    const hex = runPython<string>(`import pickle, json; s = [1]; print(json.dumps(pickle.dumps([s, s], protocol=2).hex()))`);
    const v = decodePickle(Buffer.from(hex, 'hex')) as unknown[][];
    expect(v[0]).toBe(v[1]);
  });

  it('refuses globals (os.system, builtins.eval, copyreg) with the error carbon logs, for every protocol', () => {
    const cases = runPython<{ hex: string; expected: Outcome }[]>(`
${SAFE_LOADS}
import os, builtins, copyreg, collections
class Evil:
    def __reduce__(self): return (os.system, ('echo pwned',))
out = []
for proto in range(6):
    for v in [Evil(), builtins.eval, collections.OrderedDict(a=1), [('m', (1, 2)), Evil()]]:
        data = pickle.dumps(v, protocol=proto)
        out.append({"hex": data.hex(), "expected": outcome(data)})
out.append({"hex": b"cos\\nsystem\\n(S'echo pwned'\\ntR.".hex(), "expected": outcome(b"cos\\nsystem\\n(S'echo pwned'\\ntR.")})
print(json.dumps(out))
`);
    for (const c of cases) {
      const data = Buffer.from(c.hex, 'hex');
      const got = decodeOutcome(data);
      expect(got.error, c.hex).toBeInstanceOf(PickleDecodeError);
      if ('error' in c.expected) expect(got.error!.dropsConnection, c.hex).toBe(!c.expected.caught);
    }
    const osSystem = decodeOutcome(Buffer.from("cos\nsystem\n(S'echo pwned'\ntR.", 'latin1'));
    expect(osSystem.error).toBeInstanceOf(UnsafePickleError);
    expect(osSystem.error!.message).toBe('Attempting to unpickle unsafe module os');
  });

  it('builds sets, frozensets and bytearrays as carbon\'s unpickler does (a sender may pickle its points as a set)', () => {
    const cases = runPython<{ hex: string; expected: Outcome }[]>(`
${SAFE_LOADS}
T = 1700000000
values = [
    set(), {1, 2}, {1, 1.0, True, 'a', b'a', (1, 'x'), ('x', 1)}, frozenset(), frozenset([1, 'k', (2, 3)]), {frozenset([1, 2]), 3},
    bytearray(b''), bytearray(b'ab\\x00'), [bytearray(b'2.5'), {'k': frozenset([1])}],
    {('pkset.a', (T, 1)), ('pkset.b', (T, 2))}, frozenset({('pkfset.a', (T, 1))}),
    [('pksv.before', (T, 1)), ('pksv.set', (T, {1})), ('pksv.after', (T, 3))],
]
out = []
for proto in range(6):
    for v in values:
        data = pickle.dumps(v, protocol=proto)
        out.append({"hex": data.hex(), "expected": outcome(data)})
# Sets holding what Python cannot hash, written by hand: TypeError, which carbon does not catch.
for data in [b'\\x80\\x04\\x8f(]\\x90.', b'\\x80\\x04(}\\x91.', b'\\x80\\x04\\x8f(\\x8f\\x90.', b'\\x80\\x05}\\x96\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00aK\\x01s.',
             b'\\x80\\x04]\\x8c\\x01a\\x90.', b'\\x80\\x04](\\x8c\\x01a\\x90.', b'\\x80\\x04(\\x91(K\\x01\\x90.']:
    out.append({"hex": data.hex(), "expected": outcome(data)})
print(json.dumps(out))
`);
    const failures: string[] = [];
    for (const c of cases) {
      const d = compareDecoder(Buffer.from(c.hex, 'hex'), c.expected);
      if (d) failures.push(`${c.hex}: ${d}`);
    }
    expect(failures).toEqual([]);
    expect(cases.filter((c) => 'error' in c.expected).length).toBeGreaterThanOrEqual(7);
  });

  it('agrees with Python on every truncation and on random corruptions of valid pickles', () => {
    const cases = runPython<{ hex: string; expected: Outcome }[]>(`
${SAFE_LOADS}
import random
rnd = random.Random(42)
seeds = []
for proto in range(6):
    seeds.append(pickle.dumps([('m.a', (1700000000.0, 1.5)), ('m.b', (17, 2)), {'k': ['v', (1, 2, 3, 4)]}, 'caf\\u00e9', -2**70], protocol=proto))
out = []
for s in seeds:
    for n in range(len(s)):
        out.append(s[:n])
    for _ in range(150):
        b = bytearray(s)
        for _ in range(rnd.randint(1, 3)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        out.append(bytes(b))
print(json.dumps([{"hex": d.hex(), "expected": outcome(d)} for d in out]))
`);
    expect(cases.length).toBeGreaterThan(1000);
    const failures: string[] = [];
    for (const c of cases) {
      const d = compareDecoder(Buffer.from(c.hex, 'hex'), c.expected);
      if (d) failures.push(`${c.hex}: ${d}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('CAUGHT_BY_CARBON', () => {
  it('lists the exception classes carbon catches', () => {
    expect(CAUGHT_BY_CARBON).toContain('UnpicklingError');
  });
});
