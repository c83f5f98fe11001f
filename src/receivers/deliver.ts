import { stats } from '../instrumentation/counters.js';
import { getLogger } from '../logging.js';
import type { BatchSink, MetricBatch } from '../pipeline/batch.js';

const log = getLogger('listener');

/**
 * Hands a batch to the next stage. A failing stage is logged and counted; it must not take the
 * listener (or the process) down with an exception thrown from a socket callback.
 */
export function deliver(sink: BatchSink, batch: MetricBatch, source: string): void {
  try {
    sink(batch);
  } catch (err) {
    stats.increment('receiver.sinkErrors');
    log.error({ err }, `${source}: the pipeline failed on a batch of ${batch.length} points; they are lost`);
  } finally {
    batch.clear();
  }
}
