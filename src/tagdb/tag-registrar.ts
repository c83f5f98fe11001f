import { getLogger, RateLimiter } from '../logging.js';
import { tagMultiSeries } from './tagdb-client.js';
import { TagQueue } from './tag-queue.js';

const log = getLogger('tagdb');
const limited = new RateLimiter();

/** How long the loop waits when nothing is queued (carbon's tag thread sleeps 0.2 s). */
export const TAG_IDLE_MS = 200;

export interface TagRegistrarOptions {
  /** GRAPHITE_URL. */
  graphiteUrl: string;
  /** TAG_BATCH_SIZE: series per request. */
  batchSize: number;
  /** TAG_QUEUE_SIZE: most series waiting in each of the two queues. */
  queueSize: number;
  /** The request; tests substitute one. Default: tagMultiSeries. */
  post?: (graphiteUrl: string, paths: readonly string[]) => Promise<void>;
  idleMs?: number;
}

/**
 * ENABLE_TAGS: registers series with graphite-web's TagDB as carbon's writeTagsForever does: one
 * request at a time, TAG_BATCH_SIZE series each, created series before updated ones. A failed
 * request is logged and its series are not tried again (as carbon); the daemon carries on.
 */
export class TagRegistrar {
  readonly queue: TagQueue;
  private running = false;
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly post: (graphiteUrl: string, paths: readonly string[]) => Promise<void>;
  /** Requests that failed, and series sent in requests that succeeded. */
  failures = 0;
  tagged = 0;
  private droppedReported = 0;

  constructor(private readonly opts: TagRegistrarOptions) {
    this.queue = new TagQueue(opts.queueSize);
    this.post = opts.post ?? ((url, paths) => tagMultiSeries(url, paths));
  }

  /** The CacheWriter's onTags. */
  readonly onTags = (created: readonly string[], updated: readonly string[]): void => {
    for (const m of created) this.queue.add(m);
    for (const m of updated) this.queue.update(m);
  };

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.run();
  }

  stop(): void {
    this.running = false;
    this.wake?.();
  }

  private async run(): Promise<void> {
    const batchSize = Math.max(1, this.opts.batchSize);
    while (this.running) {
      this.reportDropped();
      const batch = this.queue.takeBatch(batchSize);
      if (batch.length === 0) {
        await this.idle();
        continue;
      }
      const t0 = performance.now();
      log.debug(`Tagging ${batch.join(', ')}`);
      try {
        await this.post(this.opts.graphiteUrl, batch);
        this.tagged += batch.length;
        log.debug(`Tagged ${batch.join(', ')} in ${((performance.now() - t0) / 1000).toFixed(3)}`);
      } catch (err) {
        this.failures++;
        const suppressed = limited.allow('tag-error');
        if (suppressed >= 0) {
          const names = batch.length > 3 ? `${batch.slice(0, 3).join(', ')} and ${batch.length - 3} more` : batch.join(', ');
          log.error(`Error tagging ${names}: ${(err as Error).message}${suppressed > 0 ? ` (${suppressed} similar errors suppressed)` : ''}`);
        }
      }
    }
  }

  /** Series the full queues turned away since the last report (carbon drops them silently). */
  private reportDropped(): void {
    const dropped = this.queue.dropped - this.droppedReported;
    if (dropped === 0 || limited.allow('tag-queue-full') < 0) return;
    this.droppedReported = this.queue.dropped;
    log.warn(`TagDB queue full (TAG_QUEUE_SIZE=${this.opts.queueSize}): ${dropped} series not registered (${this.queue.dropped} in all)`);
  }

  /** Waits TAG_IDLE_MS (series queued meanwhile go in the next batch), or until stop(); never holds the process open. */
  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.wake = null;
        resolve();
      };
      this.wake = done;
      this.timer = setTimeout(done, this.opts.idleMs ?? TAG_IDLE_MS);
      this.timer.unref();
    });
  }
}
