import { describe, expect, test } from 'vitest';
import { PythonRegexError, compilePythonRegex, compilePythonSub, translatePythonRegex, translatePythonReplacement } from '../../src/regex/python-regex.js';

const search = (p: string, s: string, f = '') => compilePythonRegex(p, f).test(s);

describe('compilePythonRegex', () => {
  test('named groups and named back-references', () => {
    const re = compilePythonRegex('(?P<host>[^.]+)\\.(?P=host)');
    expect(re.exec('web.web')?.groups?.host).toBe('web');
    expect(re.test('web.db')).toBe(false);
  });
  test('$ also matches before a trailing newline, \\Z does not', () => {
    expect(search('count$', 'x.count\n')).toBe(true);
    expect(search('count\\Z', 'x.count\n')).toBe(false);
    expect(search('count$', 'x.count\n\n')).toBe(false);
  });
  test('. excludes only \\n; MULTILINE breaks lines only at \\n', () => {
    expect(search('a.b', 'a\rb')).toBe(true);
    expect(search('a.b', 'a\nb')).toBe(false);
    expect(search('(?m)^b', 'a\rb')).toBe(false);
    expect(search('(?m)^b', 'a\nb')).toBe(true);
  });
  test('Unicode \\d \\w \\s as in Python str patterns; ASCII with (?a)', () => {
    expect(search('^\\d$', '٣')).toBe(true);
    expect(search('^\\w$', 'é')).toBe(true);
    expect(search('^\\s$', '\u001c')).toBe(true);
    expect(search('^\\s$', '\ufeff')).toBe(false);
    expect(search('(?a)^\\w$', 'é')).toBe(false);
    expect(search('\\bwörld\\b', 'héllo wörld')).toBe(true);
  });
  test('{,n} and literal braces', () => {
    expect(compilePythonRegex('^a{,2}$').test('aa')).toBe(true);
    expect(compilePythonRegex('^a{,2}$').test('aaa')).toBe(false);
    expect(search('^x{}$', 'x{}')).toBe(true);
    expect(search('^a{1,$', 'a{1,')).toBe(true);
  });
  test('escapes Python accepts and JS u-mode does not', () => {
    expect(search('^a\\-b\\:c\\@d$', 'a-b:c@d')).toBe(true);
    expect(search('[\\w\\-]+', '-')).toBe(true);
  });
  test('class quirks: ] first is literal, negated \\W', () => {
    expect(search('^[]a]+$', ']a')).toBe(true);
    expect(search('^[^\\W\\d]+$', 'abc')).toBe(true);
    expect(search('^[^\\W\\d]+$', 'ab1')).toBe(false);
  });
  test('flags argument and inline flags', () => {
    expect(search('abc', 'xABCx', 'i')).toBe(true);
    expect(search('(?i)abc', 'xABCx')).toBe(true);
    expect(search('(?x) a  b # comment', 'ab')).toBe(true);
  });
  test('atomic groups and possessive quantifiers never give back, groups keep Python numbers', () => {
    expect(search('^(?>a+)ab', 'aaab')).toBe(false);
    expect(search('^(?:a+)ab', 'aaab')).toBe(true);
    expect(search('^a++b', 'aab')).toBe(true);
    expect(search('^a*+a', 'aaa')).toBe(false);
    const m = compilePythonRegex('(?>(a))(b)\\2').exec('xabb');
    expect([...m!]).toEqual(['abb', 'a', 'b']);
    expect(compilePythonSub('(?>(\\w+))\\.(\\w++)', '\\2.\\1')('host.cpu')).toBe('cpu.host');
    expect('x-ab-y'.replace(compilePythonRegex('(?>(a)(b))'), '[$2$1]')).toBe('x-[ba]-y');
  });
  test('match and fullmatch modes', () => {
    expect(compilePythonRegex('b', '', 'match').test('ab')).toBe(false);
    expect(compilePythonRegex('a|ab', '', 'fullmatch').test('ab')).toBe(true);
  });
  test.each([
    ['a**', true], ['(', true], ['[z-a]', true], ['\\q', true], ['x(?i)', true], ['(?<=a+)b', true], ['(?P=nope)', true],
    ['(?(1)a|b)', false], ['(?i:a)b', false], ['\\N{EM DASH}', false],
  ])('rejects %s (Python rejects: %s)', (pattern, pythonRejects) => {
    try {
      compilePythonRegex(pattern);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PythonRegexError);
      expect((e as PythonRegexError).pythonRejects).toBe(pythonRejects);
      expect((e as Error).message).toContain(JSON.stringify(pattern));
    }
  });
});

describe('Python replacement templates', () => {
  test('group references, escapes, dollars', () => {
    expect(translatePythonReplacement('\\1.\\g<2>\\g<0>$')).toBe('$01.$02$&$$');
    expect(translatePythonReplacement('\\g<name>')).toBe('$<name>');
    expect(translatePythonReplacement('a\\tb\\.')).toBe('a\tb\\.');
    expect(() => translatePythonReplacement('\\q')).toThrow(PythonRegexError);
    expect(() => translatePythonReplacement('\\2', translatePythonRegex('(a)'))).toThrow(/invalid group reference 2/);
  });
  test('re.sub over every match', () => {
    expect(compilePythonSub('\\.all\\.', '.ALL.')('a.all.b.all.c')).toBe('a.ALL.b.ALL.c');
    expect(compilePythonSub('^(\\w+)\\.(\\w+)', '\\2.\\1')('host.cpu.user')).toBe('cpu.host.user');
    expect(compilePythonSub('_sum$', '')('requests_sum')).toBe('requests');
    expect(compilePythonSub('a', 'b', '', 1)('aaa')).toBe('baa');
  });
});
