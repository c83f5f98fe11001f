// A WhisperBackend for test/interop/writer-threads.test.ts: the real one, recording in a log file
// which worker thread touched which path.
import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { createWhisperBackend as real } from '../../dist/cache/whisper-backend.js';

export function createWhisperBackend(opts) {
  const b = real(opts);
  const log = (path) => appendFileSync(`${opts.dataDir}/../threads.log`, `${threadId} ${path}\n`);
  return {
    ...b,
    updateMany(path, ts, vs, n) {
      log(path);
      b.updateMany(path, ts, vs, n);
    },
    createWithPoints(path, archives, xff, method, ts, vs, n) {
      log(path);
      return b.createWithPoints(path, archives, xff, method, ts, vs, n);
    },
    getAggregationMethod(path) {
      log(path);
      return b.getAggregationMethod(path);
    },
  };
}
