import { describe, expect, test } from 'vitest';
import { comparableStderr, loadCases, runCase } from './golden-harness.js';

describe('whisper tools match the recorded Python tools byte for byte', () => {
  for (const c of loadCases()) {
    test(`${c.name}: ${c.tool} ${c.args.join(' ')}`, async () => {
      const run = await runCase(c);
      expect(run.stdout).toBe(c.stdout);
      expect(comparableStderr(run.stderr)).toBe(comparableStderr(c.stderr));
      expect(run.exit).toBe(c.exit);
      expect(run.after).toEqual(c.after);
    });
  }
});
