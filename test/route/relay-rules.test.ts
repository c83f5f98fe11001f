import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadRelayRules, parseRelayRules } from '../../src/config/relay-rules.js';
import { createRouter } from '../../src/pipeline/route/create-router.js';
import { parseDestinations } from '../../src/pipeline/route/parse-destination.js';
import { RulesRouter } from '../../src/pipeline/route/rules-router.js';

const DESTS = parseDestinations(['10.0.0.1:2004:a', '10.0.0.2:2004:b', '10.0.0.3:2004:c']);
const keys = (r: RulesRouter, m: string): string[] => r.getDestinations(m).map((d) => d.host.slice(-1));

describe('relay-rules.conf (carbon relayrules.py)', () => {
  // spec/carbon.md §4.2, observed with carbon-relay
  const text = `
[default]
default = true
destinations = 10.0.0.1:2004:a

[first]
pattern = ^Foo\\.
continue = true
destinations = 10.0.0.1:2004:a, 10.0.0.2:2004:b

; a comment
[second]
pattern = bar
destinations = 10.0.0.3:2004:c, 10.9.9.9:2004:z
`;
  const rules = parseRelayRules(text, 'relay-rules.conf');
  const router = new RulesRouter(rules, DESTS);

  it('puts the default rule last and reads continue', () => {
    expect(rules.map((r) => r.name)).toEqual(['first', 'second', 'default']);
    expect(rules[0].continueMatching).toBe(true);
    expect(rules[2].regex).toBeNull();
  });
  it('routes case-insensitively with search, continue, and ignores unknown destinations', () => {
    expect(keys(router, 'foo.x')).toEqual(['1', '2']);
    expect(keys(router, 'FOO.bar')).toEqual(['1', '2', '3']);
    expect(keys(router, 'x.BAR.y')).toEqual(['3']);
    expect(keys(router, 'other')).toEqual(['1']);
    expect(keys(router, 'xfoo.y')).toEqual(['1']);
  });
  it('explains which rules fired', () => {
    const ex = router.explain('FOO.bar');
    expect(ex.map((s) => s.detail?.rule)).toEqual(['first', 'second']);
    expect(ex[1].summary).toMatch(/1 destination\(s\) not in DESTINATIONS ignored/);
  });
  it('ignores default = false and interpolates %%', () => {
    const r = parseRelayRules('[x]\npattern = 100%%\ndestinations = h:1\n[off]\ndefault = false\ndestinations = h:1\n[d]\ndefault = yes\ndestinations = h:1\n', 'f');
    expect(r.map((x) => x.name)).toEqual(['x', 'd']);
    expect(r[0].regex!.test('at 100%')).toBe(true);
  });
  it('lets [DEFAULT] keys reach every section, as ConfigParser does', () => {
    const r = parseRelayRules('[DEFAULT]\ndestinations = 10.0.0.1:1\n[web]\npattern = ^web\n[d]\ndefault = true\ndestinations = 10.0.0.2:2\n', 'f');
    expect(r.map((x) => [x.name, x.destinations.map((d) => d.key).join()])).toEqual([
      ['web', '10.0.0.1:1:None'],
      ['d', '10.0.0.2:2:None'],
    ]);
  });
  it('reads indented continuation lines into the value', () => {
    const r = parseRelayRules('[d]\ndefault = true\ndestinations = h:1,\n   h:2\n', 'f');
    expect(r[0].destinations.map((d) => d.port)).toEqual([1, 2]);
  });
  it('fails with file, line and reason', () => {
    const bad = (t: string): string => {
      try {
        parseRelayRules(t, 'rr.conf');
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad('[a]\npattern = x\n')).toBe("rr.conf:1: section a does not define a 'destinations' list");
    expect(bad('[a]\npattern = x\ndefault = true\ndestinations = h:1\n')).toMatch(/^rr.conf:1: section a contains both 'pattern' and 'default'/);
    expect(bad('[a]\npattern = x\ndestinations = h:1\n')).toMatch(/^rr.conf: No default rule defined/);
    expect(bad('[a]\ndefault = true\ndestinations = h:1\n[b]\ndefault = 1\ndestinations = h:1\n')).toBe('rr.conf:4: Only one default rule can be specified');
    expect(bad('[a]\ndefault = true\ndestinations = h:1\n[a]\n')).toMatch(/^rr.conf:4: section \[a\] appears twice/);
    expect(bad('x = 1\n')).toMatch(/^rr.conf:1: a key before the first \[section\] header/);
    expect(bad('[a]\ndefault = maybe\ndestinations = h:1\n')).toMatch(/^rr.conf:1: section a: default: Not a boolean: maybe/);
    expect(bad('[a]\ndefault = true\ndestinations = h:port\n')).toMatch(/^rr.conf:1: section a: invalid destination "h:port"/);
    expect(bad('[a]\npattern = (\ndestinations = h:1\n[d]\ndefault = true\ndestinations = h:1\n')).toMatch(/^rr.conf:1: section a: pattern "\("/);
    expect(bad('[a]\npattern = 5%\ndestinations = h:1\n')).toMatch(/'%' must be followed by '%' or '\('/);
  });
});

describe('rules through createRouter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('loads the file named by the settings, and reports a missing file', () => {
    const path = join(dir, 'relay-rules.conf');
    writeFileSync(path, '[d]\ndefault = true\ndestinations = 10.0.0.2:2004:b\n');
    const router = createRouter({
      RELAY_METHOD: 'rules',
      DESTINATIONS: DESTS,
      REPLICATION_FACTOR: 1,
      DIVERSE_REPLICAS: true,
      ROUTER_HASH_TYPE: null,
      TAG_RELAY_NORMALIZED: false,
      relayRulesPath: path,
    });
    expect(router.getDestinations('anything')).toEqual([DESTS[1]]);
    expect(() => loadRelayRules(join(dir, 'missing.conf'))).toThrow(/missing.conf: Error: Missing config file/);
  });
});
