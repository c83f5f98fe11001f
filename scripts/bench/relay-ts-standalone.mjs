// carbon-ts relay assembled from the built modules (dist/), for bench:relay while or where the
// `carbon-ts relay` command is not available: line receiver → consistent-hashing router →
// DestinationManager. argv: <line port> <protocol> <dest,dest,...> <spill dir> <max queue size>.
import { ReceiverGroup } from '../../dist/receivers/index.js';
import { createRouter } from '../../dist/pipeline/route/create-router.js';
import { parseDestinations } from '../../dist/pipeline/route/parse-destination.js';
import { DestinationManager } from '../../dist/relay/destination-manager.js';

const [port, protocol, dests, spillDir, maxQueueSize] = process.argv.slice(2);
const destinations = parseDestinations(dests.split(','));
const router = createRouter({ RELAY_METHOD: 'consistent-hashing', DESTINATIONS: destinations, REPLICATION_FACTOR: 1, DIVERSE_REPLICAS: true, ROUTER_HASH_TYPE: null, TAG_RELAY_NORMALIZED: false });
let receivers;
const manager = new DestinationManager(destinations, { protocol, spillDir, maxQueueSize: Number(maxQueueSize) }, {
  onSaturated: () => receivers?.pauseAll(),
  onHasRoom: () => receivers?.resumeAll(),
});
manager.start();
receivers = new ReceiverGroup((batch) => manager.send(batch, router), { logConnectionSuccess: false });
await receivers.listenLine({ interface: '127.0.0.1', port: Number(port) });
process.on('SIGTERM', async () => {
  await receivers.close();
  await manager.stop();
  process.exit(0);
});
console.log('ready');
