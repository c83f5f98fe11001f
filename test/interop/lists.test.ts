/**
 * whitelist/blacklist files: carbon-ts's RegexList against carbon/regexlist.py's RegexList (installed
 * graphite-carbon via /usr/bin/python3) — same membership for every name, including comment and
 * whitespace quirks and lines Python rejects.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { loadRegexList } from '../../src/config/lists.js';

const dir = mkdtempSync(join(tmpdir(), 'lists-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LIST = [
  '# a comment',
  '  # indented: a regex in carbon',
  '',
  '   ',
  '^carbon\\.agents\\.',
  '\\.tmp\\.',
  '(unbalanced',
  '\\.count$',
  '\tsecret\t',
  '[^\\x20-\\x7e]',
  ';env=dev',
  '^UPPER',
].join('\n');
const NAMES = [
  'carbon.agents.a.cpu', 'x.carbon.agents.a', 'app.tmp.value', 'app.tmpx', 'hits.count', 'hits.count\n', 'hits.counter',
  'my.secret.key', 'héllo', 'name;env=dev', 'name;env=prod', 'UPPER.x', 'upper.x', 'has # indented: a regex in carbon', '',
];

test('membership agrees with carbon.regexlist.RegexList', () => {
  const path = join(dir, 'list.conf');
  writeFileSync(path, LIST);
  const py = JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', `
import json, sys
from carbon.regexlist import RegexList
l = RegexList(); l.list_file = sys.argv[1]; l.read_list()
print(json.dumps([bool(l), [n in l for n in json.loads(sys.argv[2])]]))
`, path, JSON.stringify(NAMES)], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim().split('\n').pop()!,
  ) as [boolean, boolean[]];
  const list = loadRegexList(path);
  expect(!list.isEmpty).toBe(py[0]);
  expect(NAMES.map((n) => list.matches(n))).toEqual(py[1]);
});
