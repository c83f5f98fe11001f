/**
 * The writer's worker thread writes real Whisper files; python3-whisper reads them back and must
 * see what its own update_many would have produced from the same points. Needs `npm run build`
 * (the worker runs the compiled dist/cache/writer-worker.js) and /usr/bin/python3 with whisper.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CacheWriter } from '../../src/cache/cache-writer.js';
import { MetricCache } from '../../src/cache/metric-cache.js';
import { Counters } from '../../src/instrumentation/counters.js';
import { MetricBatch } from '../../src/pipeline/batch.js';
import { defaultWhisperOptions } from '../helpers/writer-options.js';

const dir = mkdtempSync(join(tmpdir(), 'carbon-ts-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PY_COMPARE = String.raw`
import json, sys, whisper, os
spec = json.load(sys.stdin)
out = {}
for m in spec['metrics']:
    ref = os.path.join(spec['refdir'], m['file'].replace('/', '_'))
    whisper.create(ref, [tuple(a) for a in m['archives']], m.get('xff'), m.get('agg'))
    whisper.update_many(ref, [tuple(p) for p in m['points']])
    path = os.path.join(spec['datadir'], m['file'])
    info = whisper.info(path)
    mine = whisper.fetch(path, spec['from'], spec['until'])
    theirs = whisper.fetch(ref, spec['from'], spec['until'])
    out[m['name']] = {
        'agg': info['aggregationMethod'], 'xff': info['xFilesFactor'],
        'archives': [(a['secondsPerPoint'], a['points']) for a in info['archives']],
        'same_fetch': mine == theirs, 'mine': mine[1][-12:],
        'same_bytes': open(path, 'rb').read() == open(ref, 'rb').read(),
    }
print(json.dumps(out))
`;

describe('writer worker → Whisper files read by python3-whisper', () => {
  it('writes, creates with schema/aggregation, and survives bad files', async () => {
    const dataDir = join(dir, 'data');
    const refDir = join(dir, 'ref');
    execFileSync('mkdir', ['-p', refDir, join(dataDir, 'broken')]);
    writeFileSync(join(dataDir, 'broken', 'corrupt.wsp'), Buffer.from('this is not a whisper file at all'));
    writeFileSync(join(dataDir, 'notadir'), 'x'); // notadir.child.wsp cannot be created: ENOTDIR
    const cache = new MetricCache({ strategy: 'sorted' });
    const counters = new Counters();
    const writer = new CacheWriter({
      cache,
      counters,
      whisper: defaultWhisperOptions(dataDir),
      matchSchema: (m) => (m.startsWith('fine.') ? { name: 'fine', archives: [[10, 60], [60, 60]] } : undefined),
      matchAggregation: (m) => (m.endsWith('.sum') ? { name: 'sums', xFilesFactor: 0.3, aggregationMethod: 'sum' } : undefined),
      idleMs: 20,
    });
    const now = Math.floor(Date.now() / 1000);
    const base = now - (now % 60) - 300;
    const batch = new MetricBatch();
    const expected: Record<string, [number, number][]> = { 'fine.a': [], 'fine.b.sum': [], 'coarse.c': [], 'fine.t;host=x;dc=1': [] };
    for (let i = 0; i < 30; i++) {
      const ts = base + i * 10;
      batch.push('fine.a', i * 1.5, ts);
      batch.push('fine.b.sum', i, ts);
      if (i % 6 === 0) batch.push('coarse.c', -i, ts);
      batch.push('fine.t;host=x;dc=1', i * 2, ts);
    }
    batch.push('broken.corrupt', 1, base);
    batch.push('notadir.child', 1, base);
    cache.storeBatch(batch);
    for (let i = 0; i < batch.length; i++) {
      const key = batch.names[i];
      if (expected[key]) expected[key].push([batch.timestamps[i], batch.values[i]]);
    }
    writer.start();
    await writer.flush();
    await writer.stop();

    expect(counters.get('errors')).toBe(2);
    expect(counters.get('creates')).toBe(4);
    expect(counters.get('committedPoints')).toBe(30 + 30 + 5 + 30);
    expect(readFileSync(join(dataDir, 'broken', 'corrupt.wsp'), 'utf8')).toBe('this is not a whisper file at all');
    const taggedName = 'fine.t;dc=1;host=x';
    const files: Record<string, string> = {
      'fine.a': 'fine/a.wsp',
      'fine.b.sum': 'fine/b/sum.wsp',
      'coarse.c': 'coarse/c.wsp',
      [taggedName]: execFileSync('/usr/bin/python3', ['-c', `from carbon.util import TaggedSeries; print(TaggedSeries.encode(${JSON.stringify(taggedName)}, '/', True) + '.wsp')`]).toString().trim(),
    };
    expect(existsSync(join(dataDir, files[taggedName]))).toBe(true);
    const spec = {
      datadir: dataDir,
      refdir: refDir,
      from: base - 60,
      until: now,
      metrics: Object.entries(files).map(([name, file]) => ({
        name,
        file,
        archives: name === 'coarse.c' ? [[60, 10080]] : [[10, 60], [60, 60]],
        xff: name.endsWith('.sum') ? 0.3 : null,
        agg: name.endsWith('.sum') ? 'sum' : null,
        points: expected[name === taggedName ? 'fine.t;host=x;dc=1' : name],
      })),
    };
    const res = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY_COMPARE], { input: JSON.stringify(spec) }).toString());
    for (const [name, r] of Object.entries(res) as [string, Record<string, unknown>][]) {
      expect(r.same_fetch, name).toBe(true);
    }
    expect(res['fine.b.sum'].agg).toBe('sum');
    expect(res['fine.b.sum'].xff).toBeCloseTo(0.3);
    expect(res['fine.a'].agg).toBe('average');
    expect(res['coarse.c'].archives).toEqual([[60, 10080]]);
    expect(res['fine.a'].mine.filter((v: unknown) => v !== null).length).toBeGreaterThan(0);
  });

  it('renames an old non-hashed tagged file to its hashed name (TAG_HASH_FILENAMES), as carbon', async () => {
    const dataDir = join(dir, 'data-rename');
    const name = 'some.metric;tag1=value2;tag2=value.2';
    const oldPath = join(dataDir, '_tagged/eff/aae/some_DOT_metric;tag1=value2;tag2=value_DOT_2.wsp');
    const newPath = join(dataDir, '_tagged/eff/aae/effaae5b55950b150a7493d2f5430772ca2460bf7cccb4d9e523643df54c010f.wsp');
    execFileSync('/usr/bin/python3', ['-c', `import os, whisper; os.makedirs(os.path.dirname(${JSON.stringify(oldPath)})); whisper.create(${JSON.stringify(oldPath)}, [(60, 100)], None, 'max')`]);
    const cache = new MetricCache();
    const counters = new Counters();
    const writer = new CacheWriter({
      cache,
      counters,
      whisper: defaultWhisperOptions(dataDir),
      matchSchema: () => undefined,
      idleMs: 20,
    });
    const now = Math.floor(Date.now() / 1000);
    cache.store(name, now, 42);
    writer.start();
    await writer.flush();
    await writer.stop();
    expect(existsSync(oldPath)).toBe(false);
    expect(counters.get('creates')).toBe(0);
    const out = execFileSync('/usr/bin/python3', ['-c', `import whisper, json; i = whisper.info(${JSON.stringify(newPath)}); f = whisper.fetch(${JSON.stringify(newPath)}, ${now - 120}, ${now + 1}); print(json.dumps([i['aggregationMethod'], [v for v in f[1] if v is not None]]))`]).toString();
    expect(JSON.parse(out)).toEqual(['max', [42]]);
  });
});
