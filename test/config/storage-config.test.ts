import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadStorageAggregation, parseStorageAggregation } from '../../src/config/storage-aggregation.js';
import { parseStorageSchemas } from '../../src/config/storage-schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'storage-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('storage-schemas.conf', () => {
  const s = parseStorageSchemas(`[carbon]
pattern = ^carbon\\.
retentions = 60:90d

[tags]
pattern = ;dc=eu
retentions = 10s:1d,1m:30d

[nopattern]
retentions = 1:1

[catchall]
pattern = .*
retentions = 1m:1d
`);
  test('first section whose pattern searches the name wins, in file order', () => {
    expect(s.match('carbon.agents.a.cpu')).toMatchObject({ name: 'carbon', archives: [[60, 129600]] });
    expect(s.match('x.carbon.y')).toMatchObject({ name: 'catchall', archives: [[60, 1440]] });
    expect(s.match('disk;dc=eu;host=a')).toMatchObject({ name: 'tags', archives: [[10, 8640], [60, 43200]] });
    expect(s.schemas.map((x) => x.name)).toEqual(['carbon', 'tags', 'catchall', 'default']);
  });
  test('built-in default when nothing matches', () => {
    expect(parseStorageSchemas('[a]\npattern = ^a$\nretentions = 1:1\n').match('b')).toMatchObject({ name: 'default', archives: [[60, 10080]] });
  });
  test.each([
    ['[a]\npattern = .*\nretentions = 60:1x\n', 3, /Invalid unit|Invalid/],
    ['[a]\npattern = (\nretentions = 60:1\n', 2, /missing \)/],
    ['[a]\npattern = 50%\nretentions = 60:1\n', 2, /'%' must be followed/],
    ['[a]\n[a]\n', 2, /appears twice/],
  ])('malformed file %j fails at line %i', (text, line, re) => {
    try {
      parseStorageSchemas(text, 'schemas.conf');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).line).toBe(line);
      expect((e as Error).message).toMatch(re);
      expect((e as Error).message).toContain('schemas.conf');
    }
  });
});

describe('storage-aggregation.conf', () => {
  test('first match; omitted keys are null (whisper defaults), no fall-through', () => {
    const a = parseStorageAggregation('[min]\npattern = \\.min$\nxFilesFactor = 0.1\naggregationMethod = min\n[xff]\npattern = ^app\nxFilesFactor = 0\n[sum]\npattern = \\.count$\naggregationMethod = sum\n');
    expect(a.match('x.min')).toMatchObject({ xFilesFactor: 0.1, aggregationMethod: 'min' });
    expect(a.match('app.count')).toMatchObject({ name: 'xff', xFilesFactor: 0, aggregationMethod: null });
    expect(a.match('x.count')).toMatchObject({ xFilesFactor: null, aggregationMethod: 'sum' });
    expect(a.match('zzz')).toMatchObject({ name: 'default', xFilesFactor: null, aggregationMethod: null });
  });
  test('non-float xFilesFactor skips the section; out of range or unknown method fails', () => {
    expect(parseStorageAggregation('[a]\npattern = .*\nxFilesFactor = half\n').match('x').name).toBe('default');
    expect(() => parseStorageAggregation('[a]\npattern = .*\nxFilesFactor = 2\n')).toThrow(/between 0 and 1/);
    expect(() => parseStorageAggregation('[a]\npattern = .*\naggregationMethod = median\n')).toThrow(/aggregationMethod must be one of/);
  });
  test('missing file gives only the default', () => {
    expect(loadStorageAggregation(join(dir, 'none.conf')).match('a').name).toBe('default');
  });
});
