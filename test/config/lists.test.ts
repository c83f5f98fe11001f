import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { checkLists, loadRegexList, parseRegexList, RegexList } from '../../src/config/lists.js';

const dir = mkdtempSync(join(tmpdir(), 'lists-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('white/blacklists', () => {
  test('comments only when the unstripped line starts with #; blanks and bad regexes skipped', () => {
    const entries = parseRegexList('# comment\n\n   \n  # indented is a regex\n^carbon\\.\n(unclosed\n\\.count$\r\n', 'x');
    expect(entries.map((e) => e.pattern)).toEqual(['# indented is a regex', '^carbon\\.', '\\.count$']);
    expect(entries.map((e) => e.line)).toEqual([4, 5, 7]);
  });
  test('re.search semantics, memoised', () => {
    const p = join(dir, 'black.conf');
    writeFileSync(p, 'secret\n^tmp\\.\n');
    const l = loadRegexList(p, 2);
    expect(l.matches('app.secret.key')).toBe(true);
    expect(l.matches('tmp.x')).toBe(true);
    expect(l.matches('app.tmp.x')).toBe(false);
    expect(l.matches('app.tmp.x')).toBe(false);
    expect(l.matches('Secret')).toBe(false);
  });
  test('missing file = empty list; empty whitelist allows everything; blacklist checked first', () => {
    const white = loadRegexList(join(dir, 'nope.conf'));
    const blackPath = join(dir, 'b2.conf');
    writeFileSync(blackPath, '^bad\\.');
    const black = loadRegexList(blackPath);
    expect(white.isEmpty).toBe(true);
    expect(checkLists('good.x', white, black)).toBe('accept');
    expect(checkLists('bad.x', white, black)).toBe('blacklisted');
    const wPath = join(dir, 'w.conf');
    writeFileSync(wPath, '^good\\.\n');
    const w = loadRegexList(wPath);
    expect(checkLists('other.x', w, black)).toBe('notWhitelisted');
    expect(checkLists('good.x', w, black)).toBe('accept');
  });
  test('reload only when mtime increased; a deleted file empties the list', () => {
    const p = join(dir, 'reload.conf');
    writeFileSync(p, '^a\n');
    utimesSync(p, 1000, 1000);
    const l = loadRegexList(p);
    expect(l.matches('a')).toBe(true);
    writeFileSync(p, '^b\n');
    utimesSync(p, 1000, 1000);
    expect(l.reload()).toBe(false);
    expect(l.matches('a')).toBe(true);
    utimesSync(p, 2000, 2000);
    expect(l.reload()).toBe(true);
    expect(l.matches('a')).toBe(false);
    expect(l.matches('b')).toBe(true);
    rmSync(p);
    expect(l.reload()).toBe(true);
    expect(l.isEmpty).toBe(true);
    expect(l.matches('b')).toBe(false);
  });

  test('a pattern carbon would use and carbon-ts cannot express: ConfigError at start, the list in use kept on a later edit', () => {
    const p = join(dir, 'white-unsupported.conf');
    writeFileSync(p, '^ok\\.\n(?i:foo)\n');
    const atStart = new RegexList(p);
    expect(() => atStart.loadAtStart()).toThrow(ConfigError);
    expect(() => atStart.loadAtStart()).toThrow(/white-unsupported\.conf:2: '\(\?i:foo\)'/);
    writeFileSync(p, '^ok\\.\n');
    utimesSync(p, 1000, 1000);
    const l = new RegexList(p);
    l.loadAtStart();
    expect(l.matches('ok.x')).toBe(true);
    writeFileSync(p, '(?i:foo)\n');
    utimesSync(p, 2000, 2000);
    expect(l.reload()).toBe(false);
    // Still the old list: not an empty whitelist that would let everything through.
    expect(l.isEmpty).toBe(false);
    expect(l.matches('ok.x')).toBe(true);
    expect(l.matches('FOO')).toBe(false);
  });

  test('a list that is not UTF-8: ConfigError at start, the list in use kept on a later edit (Python stops reading it)', () => {
    const p = join(dir, 'latin1.conf');
    writeFileSync(p, Buffer.from('caf\xe9\n', 'latin1'));
    expect(() => new RegexList(p).loadAtStart()).toThrow(/latin1\.conf:1: the file is not valid UTF-8/);
    writeFileSync(p, '^ok\n');
    utimesSync(p, 1000, 1000);
    const l = new RegexList(p);
    l.loadAtStart();
    writeFileSync(p, Buffer.from('caf\xe9\n', 'latin1'));
    utimesSync(p, 2000, 2000);
    expect(l.reload()).toBe(false);
    expect(l.matches('ok')).toBe(true);
  });

  test('watch() picks up a list created after start', async () => {
    const p = join(dir, 'late.conf');
    const l = new RegexList(p);
    l.loadAtStart();
    expect(l.isEmpty).toBe(true);
    l.watch(20);
    try {
      writeFileSync(p, '^late\\.\n');
      const until = Date.now() + 2000;
      while (l.isEmpty && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect(l.matches('late.x')).toBe(true);
    } finally {
      l.stop();
    }
  });
});

