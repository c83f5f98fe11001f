/**
 * Reporting of bad input from clients: carbon's log message text, rate limited so a client
 * sending garbage cannot flood the log, and a counter per kind so operators see it in the
 * self-metrics. The counters are carbon-ts additions (carbon only logs); their names start with
 * `receiver.` so the instrumentation can tell them from carbon's own.
 */
import { stats } from '../instrumentation/counters.js';
import { getLogger, RateLimiter } from '../logging.js';

const log = getLogger('listener');
const limiter = new RateLimiter(10_000);

/** Kinds of bad input, each with its counter `receiver.<kind>`. */
export type BadInputKind =
  | 'invalidLines'
  | 'invalidPickles'
  | 'pickleElementErrors'
  | 'invalidProtobufs'
  | 'invalidDatagrams'
  | 'droppedConnections'
  | 'refusedConnections';

/** Counts one bad input and logs carbon's message for it unless the kind logged recently. */
export function reportBadInput(kind: BadInputKind, message: string): void {
  stats.increment(`receiver.${kind}`);
  const suppressed = limiter.allow(kind);
  if (suppressed < 0) return;
  log.info(suppressed > 0 ? `${message} (${suppressed} similar messages suppressed)` : message);
}
