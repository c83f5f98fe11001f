import { RateLimiter, getLogger } from '../../logging.js';
import { stats } from '../../instrumentation/counters.js';
import { normalizeSeries } from '../tags.js';
import type { Destination } from './destination.js';
import type { ExplainingRouter, ExplanationSection } from './explanation.js';

const log = getLogger('route');
const limiter = new RateLimiter();

/**
 * TAG_RELAY_NORMALIZED: carbon's RelayProcessor replaces a tagged name by its normalised form
 * (TaggedSeries.parse(name).path) before routing — and sends the normalised name downstream, so the
 * relay's sender must normalise too (see `relayName`). On a parse error carbon logs and routes the
 * name unchanged.
 */
export function relayName(metric: string): string {
  return normalizeSeries(metric, (name, err) => {
    stats.increment('tagParseErrors');
    const suppressed = limiter.allow('tag-parse');
    if (suppressed >= 0) log.warn({ metric: name, suppressed }, `Error parsing metric ${name}: ${err.message}`);
  });
}

export class TagNormalizingRouter implements ExplainingRouter {
  /** relayName() is a function of the name, so this router is as cacheable as the one it wraps. */
  readonly pureRoutes: boolean;

  constructor(readonly inner: ExplainingRouter) {
    this.pureRoutes = inner.pureRoutes === true;
  }

  getDestinations(metric: string): readonly Destination[] {
    return this.inner.getDestinations(relayName(metric));
  }

  explain(metric: string): ExplanationSection[] {
    const normalized = relayName(metric);
    const sections: ExplanationSection[] = [];
    if (normalized !== metric) {
      sections.push({ stage: 'tags', summary: `TAG_RELAY_NORMALIZED: routed as ${normalized}`, detail: { normalized } });
    }
    return sections.concat(this.inner.explain(normalized));
  }
}
