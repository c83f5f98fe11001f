/**
 * Entry point of the Whisper I/O worker thread: owns every file descriptor the writer uses and
 * answers the main thread's messages (writer-protocol.ts) in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { drainTransferList } from './drain-buffer.js';
import type { WhisperBackendFactory } from './whisper-backend-types.js';
import { WriterCore } from './writer-core.js';
import type { FromWorker, ToWorker, WriterWorkerOptions } from './writer-protocol.js';

const opts = workerData as WriterWorkerOptions;
const port = parentPort!;

async function main(): Promise<void> {
  const mod = (await import(opts.backendModule ?? './whisper-backend.js')) as { createWhisperBackend: WhisperBackendFactory };
  const core = new WriterCore(opts, mod.createWhisperBackend(opts));
  port.on('message', (msg: ToWorker) => {
    let reply: FromWorker;
    try {
      reply = core.handle(msg);
    } catch (err) {
      // WriterCore catches per-metric errors; this is a bug, reported rather than killing the thread.
      reply = { type: 'fatal', id: msg.id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    const transfer: ArrayBuffer[] = [];
    if (reply.type === 'written') for (const m of [reply.missing, reply.noSpace]) if (m) transfer.push(...drainTransferList(m));
    port.postMessage(reply, transfer);
    if (reply.type === 'closed') port.close();
  });
}

main().catch((err) => {
  port.postMessage({ type: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies FromWorker);
});
