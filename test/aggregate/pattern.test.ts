import { describe, expect, it } from 'vitest';
import { buildInputRegexSource, buildOutputTemplate, OutputTemplate, TemplateInterpolationError } from '../../src/pipeline/aggregate/pattern.js';
import { AggregationRule } from '../../src/pipeline/aggregate/rule.js';

const rule = (out: string, input: string, method = 'sum', frequency = 60) =>
  new AggregationRule({ outputPattern: out, frequency, method, inputPattern: input }, 0);

describe('input pattern → regex (carbon build_regex)', () => {
  it('reproduces the regexes carbon builds', () => {
    expect(buildInputRegexSource('<env>.applications.<app>.*.requests')).toBe(
      '(?P<env>[^.]+?)\\.applications\\.(?P<app>[^.]+?)\\.[^.]+\\.requests$',
    );
    expect(buildInputRegexSource('<<prefix>>.requests')).toBe('(?P<prefix>.+?)\\.requests$');
    expect(buildInputRegexSource('a.b*c.d')).toBe('a\\.b[^.]*c\\.d$');
    expect(buildInputRegexSource('x.pre<f>post.y')).toBe('x\\.pre(?P<f>[^.]+?)post\\.y$');
  });

  it('matches as carbon does (anchored start, $ end, lazy fields)', () => {
    expect(rule('x.<f>', 'x.pre<f>post.y').aggregateNameFor('x.preApostBpost.y')).toBe('x.ApostB');
    expect(rule('a.all.c', 'a.*.c').aggregateNameFor('a..c')).toBeNull();
    expect(rule('a.bc', 'a.b*c.d').aggregateNameFor('a.bc.d')).toBe('a.bc');
    expect(rule('<prefix>.total', '<<prefix>>.requests').aggregateNameFor('a.b.c.requests')).toBe('a.b.c.total');
    expect(rule('x', 'a.b').aggregateNameFor('za.b')).toBeNull(); // re.match: anchored at the start
    expect(rule('x', 'a.b').aggregateNameFor('a.bz')).toBeNull();
    expect(rule('x', 'a.b').aggregateNameFor('aXb')).toBeNull(); // dots are escaped between segments
  });

  it('treats the rest of a segment as raw regex', () => {
    const r = rule('<domain>.all', '<domain>\\d{2}.cpu');
    expect(r.aggregateNameFor('web12.cpu')).toBe('web.all');
    expect(r.aggregateNameFor('webXY.cpu')).toBeNull();
  });

  it('uses only the first <field> of a segment', () => {
    expect(buildInputRegexSource('<a>-<b>.x')).toBe('(?P<a>[^.]+?)-<b>\\.x$');
  });

  it('rejects a field name used twice (a regex error in Python)', () => {
    expect(() => rule('<a>', '<a>.<a>')).toThrow(/regex/);
  });
});

describe('output template (carbon build_template + %-formatting)', () => {
  it('substitutes fields', () => {
    expect(buildOutputTemplate('<env>.all.<app>')).toBe('%(env)s.all.%(app)s');
    expect(new OutputTemplate('%(a)s.x.%(b)s').interpolate({ a: '1', b: '2' })).toBe('1.x.2');
  });
  it('prints None for a group that did not participate', () => {
    expect(new OutputTemplate('%(a)s').interpolate({ a: undefined })).toBe('None');
  });
  it('throws for a field the pattern does not capture (KeyError: carbon loses the point)', () => {
    expect(() => rule('<nope>.x', '<a>.y').aggregateNameFor('q.y')).toThrow(TemplateInterpolationError);
  });
  it('returns null for a literal % (TypeError: carbon skips the rule) and keeps %%', () => {
    expect(new OutputTemplate('a%d').interpolate({})).toBeNull();
    expect(new OutputTemplate('a%%b').interpolate({})).toBe('a%b');
    expect(() => new OutputTemplate('a%').interpolate({})).toThrow(TemplateInterpolationError);
  });
});
