import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { checkLists, loadRegexList, parseRegexList } from '../../src/config/lists.js';

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
});
