import { describe, expect, it } from 'vitest';
import { metricPathForSeries, normalizeSeries, normalizeSeriesStrict, TagParseError } from '../../src/pipeline/tags.js';

// [input, carbon's TaggedSeries.parse(input).path or null when carbon raises], produced by
// /usr/bin/python3 with graphite-carbon 1.1.7.
const CASES: [string, string | null][] = [["some.metric;tag2=b;tag1=a", "some.metric;tag1=a;tag2=b"], ["a{x=\"1\",b=\"2\"}", "a;b=2;x=1"], ["a.b;a=1;a.b=2", "a.b;a.b=2;a=1"], ["~tilde.metric", "tilde.metric"], ["~", null], ["a;b", null], ["a;=b", null], ["a;b=", null], ["a;b=~c", null], ["a;b!c=d", null], ["x;y=z=w", "x;y=z=w"], ["a;name=foo;z=1", "a;z=1"], ["a;z=1;z=2", "a;z=2"], ["A;b=1;B=2;a=3", "A;B=2;a=3;b=1"], ["a{x=\"q\\\"uo\",b=\"2\"}", "a;b=2;x=q\"uo"], ["a{x=\"1\":,b=\"2\"}", "a;b=2;x=1"], ["a{b{c=\"1\"}", null], ["{x=\"1\"}", null], ["m;t=\u00e9;t2=x", "m;t2=x;t=\u00e9"], ["m;a=\ufb01;a\ud83d\ude00=1;a\ufb01=1", "m;a=\ufb01;a\ufb01=1;a\ud83d\ude00=1"], ["m;t=v ", "m;t=v "], ["plain.name", "plain.name"], ["a;b=c;d", null], ["~~a;b=1", "a;b=1"], ["a{x=\"a\\\\b\"}", "a;x=a\\b"]];

describe('tag normalisation (carbon TaggedSeries)', () => {
  for (const [input, expected] of CASES) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      if (expected === null) {
        expect(() => normalizeSeriesStrict(input)).toThrow(TagParseError);
        const errors: string[] = [];
        expect(normalizeSeries(input, (n) => errors.push(n))).toBe(input);
        expect(errors).toEqual([input]);
      } else {
        expect(normalizeSeriesStrict(input)).toBe(expected);
        expect(normalizeSeries(input)).toBe(expected);
        expect(normalizeSeries(input)).toBe(expected); // memoised path
      }
    });
  }
});

describe('metricPathForSeries (TaggedSeries.encode + .wsp)', () => {
  it('untagged names map dots to directories', () => {
    expect(metricPathForSeries('a.b.c')).toBe('a/b/c.wsp');
    expect(metricPathForSeries('.a..b')).toBe('a//b.wsp');
    expect(metricPathForSeries('/x.y')).toBe('x/y.wsp');
  });
  it('tagged names use the sha256 path', () => {
    expect(metricPathForSeries('some.metric;tag1=a;tag2=b')).toBe(
      '_tagged/83e/520/83e5201c883efdaf5fc4156cdd5246cf039542db7ffc5ec7da2c0d7c4cb08991.wsp',
    );
    expect(metricPathForSeries('some.metric;tag1=value2;tag2=value.2')).toBe(
      '_tagged/eff/aae/effaae5b55950b150a7493d2f5430772ca2460bf7cccb4d9e523643df54c010f.wsp',
    );
    expect(metricPathForSeries('some.metric;tag1=value2;tag2=value.2', false)).toBe(
      '_tagged/eff/aae/some_DOT_metric;tag1=value2;tag2=value_DOT_2.wsp',
    );
  });
});
