// A WhisperBackend for test/interop/writer-crash.test.ts: the real one, except that writing a
// crash.me kills the worker thread.
import { createWhisperBackend as real } from '../../dist/cache/whisper-backend.js';

export function createWhisperBackend(opts) {
  const b = real(opts);
  return {
    ...b,
    updateMany(path, ts, vs, n) {
      if (path.endsWith('/crash/me.wsp')) process.exit(3);
      b.updateMany(path, ts, vs, n);
    },
    createWithPoints(path, archives, xff, method, ts, vs, n) {
      if (path.endsWith('/crash/me.wsp')) process.exit(3);
      return b.createWithPoints(path, archives, xff, method, ts, vs, n);
    },
  };
}
