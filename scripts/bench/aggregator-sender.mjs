// Worker thread for `bench:aggregator`: builds the plaintext input and sends it, so the sending does not
// share a thread with the counting sink. Protocol: workerData {port, count} → 'ready' → (go) → 'done'.
import { parentPort, workerData } from 'node:worker_threads';
import { plaintext, send } from './aggregator-workload.mjs';

const payload = plaintext(workerData.count);
parentPort.postMessage('ready');
parentPort.once('message', async () => {
  await send(workerData.port, payload);
  parentPort.postMessage('done');
});
