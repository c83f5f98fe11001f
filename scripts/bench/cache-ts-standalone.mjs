// carbon-ts cache assembled from the built modules (dist/), for bench:cache where the
// `carbon-ts cache` command is not available: line + pickle receivers → MetricCache → CacheWriter
// (worker thread) and CarbonLink. Usage: node cache-ts-standalone.mjs --config <carbon.conf written by cache-harness.mjs>
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ReceiverGroup } from '../../dist/receivers/index.js';
import { MetricCache } from '../../dist/cache/metric-cache.js';
import { CacheWriter } from '../../dist/cache/cache-writer.js';
import { CarbonLinkServer } from '../../dist/carbonlink/carbonlink-server.js';
import { loadStorageSchemas } from '../../dist/config/storage-schemas.js';

const confPath = process.argv[process.argv.indexOf('--config') + 1];
const conf = Object.fromEntries(
  readFileSync(confPath, 'utf8')
    .split('\n')
    .map((l) => /^([A-Z_]+)\s*=\s*(.*)$/.exec(l))
    .filter(Boolean)
    .map((m) => [m[1], m[2].trim()]),
);
const num = (k) => (conf[k] === 'inf' ? Infinity : Number(conf[k]));
const schemas = loadStorageSchemas(join(dirname(confPath), 'storage-schemas.conf'));
let receivers;
const cache = new MetricCache({
  maxSize: num('MAX_CACHE_SIZE'),
  strategy: conf.CACHE_WRITE_STRATEGY,
  onFull: () => receivers?.pauseAll(),
  onSpaceAvailable: () => receivers?.resumeAll(),
});
const writer = new CacheWriter({
  cache,
  whisper: { dataDir: conf.LOCAL_DATA_DIR, tagHashFilenames: true, sparseCreate: false, fallocateCreate: false, lockWrites: false, autoflush: false, fadviseRandom: false },
  matchSchema: (m) => schemas.match(m),
  maxUpdatesPerSecond: num('MAX_UPDATES_PER_SECOND'),
  maxCreatesPerMinute: num('MAX_CREATES_PER_MINUTE'),
  logCreates: false,
  logUpdates: false,
});
const carbonlink = new CarbonLinkServer({ host: conf.CACHE_QUERY_INTERFACE, port: num('CACHE_QUERY_PORT'), cache, metadata: writer, logCacheHits: false });
receivers = new ReceiverGroup((batch) => cache.storeBatch(batch), { logConnectionSuccess: false });
writer.start();
await carbonlink.start();
await receivers.listenLine({ interface: conf.LINE_RECEIVER_INTERFACE, port: num('LINE_RECEIVER_PORT') });
await receivers.listenPickle({ interface: conf.PICKLE_RECEIVER_INTERFACE, port: num('PICKLE_RECEIVER_PORT') });
process.on('SIGTERM', async () => {
  await receivers.close();
  await carbonlink.stop();
  await writer.flush();
  await writer.stop();
  process.exit(0);
});
