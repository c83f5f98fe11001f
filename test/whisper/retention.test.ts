// Expected values and messages were produced by python3-whisper 1.1.4 and
// graphite-carbon 1.1.7's carbon.util.parseRetentionDef.
import { describe, expect, it } from 'vitest';
import {
  getUnitString,
  parseCarbonRetentionDef,
  parseRetentionDef,
  validateArchiveList,
  type ArchiveSpec,
} from '../../src/whisper/index.js';

function outcome(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

describe('whisper.parseRetentionDef (lenient)', () => {
  const cases: Record<string, unknown> = {
    '60:1440': [60, 1440],
    '1m:1d': [60, 1440],
    '1min:1d': [60, 1440],
    '5m:1d': [300, 288],
    '1h:7d': [3600, 168],
    '12h:2y': [43200, 1460],
    '10sec:6hours': [10, 2160],
    '1w:1y': [604800, 52],
    '1y:1y': [31536000, 1],
    '1h:90m': [3600, 1],
    '7s:1m': [7, 8],
    '0:60': [0, 60],
    '60:0': [60, 0],
    ' 60s:1d ': [60, 1440],
    '60s\n:1d': [60, 1440],
    '60:60:60': "ValueError: Invalid retention specification '60:60'",
    '60': "ValueError: Invalid retention definition '60'",
    '60 : 60': "ValueError: Invalid precision specification '60 '",
    '1M:1d': "ValueError: Invalid precision specification '1M'",
    '1mo:1d': "ValueError: Invalid unit 'mo'",
    '1ms:1d': "ValueError: Invalid unit 'ms'",
    '1sx:1d': "ValueError: Invalid unit 'sx'",
    '1secs:1d': "ValueError: Invalid unit 'secs'",
    '0s:1d': 'ZeroDivisionError: integer division or modulo by zero',
    '1s:1D': "ValueError: Invalid retention specification '1D'",
  };
  for (const [input, expected] of Object.entries(cases)) {
    it(JSON.stringify(input), () => expect(outcome(() => parseRetentionDef(input))).toEqual(expected));
  }
  it('getUnitString resolves prefixes in order and rejects the rest', () => {
    expect(getUnitString('m')).toBe('minutes');
    expect(getUnitString('s')).toBe('seconds');
    expect(getUnitString('y')).toBe('years');
    expect(outcome(() => getUnitString('x'))).toBe("ValueError: Invalid unit 'x'");
  });
});

describe('carbon.util.parseRetentionDef (strict)', () => {
  const cases: Record<string, unknown> = {
    '60:1440': [60, 1440],
    '1m:1d': [60, 1440],
    '5m:1d': [300, 288],
    '7s:1m': [7, 8],
    '1h:90m': [3600, 1],
    '10s:1d': [10, 8640],
    '1min:1d': "ValueError: Invalid unit 'min'",
    '60:60:60': 'ValueError: too many values to unpack (expected 2)',
    '60': 'ValueError: not enough values to unpack (expected 2, got 1)',
    '0s:1d': 'ZeroDivisionError: division by zero',
  };
  for (const [input, expected] of Object.entries(cases)) {
    it(JSON.stringify(input), () => expect(outcome(() => parseCarbonRetentionDef(input))).toEqual(expected));
  }
});

describe('validateArchiveList', () => {
  const cases: [ArchiveSpec[], string | null][] = [
    [[], 'InvalidConfiguration: You must specify at least one archive configuration!'],
    [
      [[60, 10], [60, 20]],
      'InvalidConfiguration: A Whisper database may not be configured having two archives with the same precision (archive0: (60, 10), archive1: (60, 20))',
    ],
    [
      [[60, 100], [90, 100]],
      "InvalidConfiguration: Higher precision archives' precision must evenly divide all lower precision archives' precision (archive0: 60, archive1: 90)",
    ],
    [
      [[60, 100], [300, 10]],
      'InvalidConfiguration: Lower precision archives must cover larger time intervals than higher precision archives (archive0: 6000 seconds, archive1: 3000 seconds)',
    ],
    [
      [[60, 4], [300, 100]],
      "InvalidConfiguration: Each archive must have at least enough points to consolidate to the next archive (archive1 consolidates 5 of archive0's points but it has only 4 total points)",
    ],
    [
      [[300, 100], [60, 1000]],
      'InvalidConfiguration: Lower precision archives must cover larger time intervals than higher precision archives (archive0: 60000 seconds, archive1: 30000 seconds)',
    ],
    [[[60, 0]], null],
    [
      [[10, 5], [60, 3]],
      "InvalidConfiguration: Each archive must have at least enough points to consolidate to the next archive (archive1 consolidates 6 of archive0's points but it has only 5 total points)",
    ],
  ];
  cases.forEach(([list, expected], i) => {
    it(`case ${i}`, () => expect(outcome(() => validateArchiveList(list)) ?? null).toBe(expected));
  });
  it('sorts the list in place by seconds per point, as Python does', () => {
    const list: ArchiveSpec[] = [[600, 100], [60, 100], [3600, 100]];
    validateArchiveList(list);
    expect(list).toEqual([[60, 100], [600, 100], [3600, 100]]);
  });
});
