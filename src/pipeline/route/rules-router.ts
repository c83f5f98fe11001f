import type { RelayRule } from '../../config/relay-rules.js';
import type { Destination } from './destination.js';
import type { ExplainingRouter, ExplanationSection } from './explanation.js';
import { destinationIdentity } from './parse-destination.js';
import { DEFAULT_ROUTE_MEMO_SIZE, DestinationListInterner, RouteMemo } from './route-memo.js';

/**
 * carbon's RelayRulesRouter (RELAY_METHOD = rules): rules in file order (default last); each
 * matching rule contributes its destinations that are also configured in DESTINATIONS (others are
 * silently ignored, as in carbon); matching stops at the first matching rule without `continue`.
 * Duplicates collapse: carbon sends once per destination.
 */
export class RulesRouter implements ExplainingRouter {
  private readonly memo: RouteMemo;
  private readonly interner = new DestinationListInterner();
  /** Per rule, its destinations that exist in DESTINATIONS, as the configured Destination objects. */
  private readonly usable: ReadonlyArray<readonly Destination[]>;

  constructor(
    readonly rules: readonly RelayRule[],
    readonly destinations: readonly Destination[],
    memoSize = DEFAULT_ROUTE_MEMO_SIZE,
  ) {
    this.memo = new RouteMemo(memoSize);
    const configured = new Map(destinations.map((d) => [destinationIdentity(d), d]));
    this.usable = rules.map((r) =>
      r.destinations.flatMap((d) => {
        const c = configured.get(destinationIdentity(d));
        return c ? [c] : [];
      }),
    );
  }

  /** Indexes of the rules that fire for `metric`, in order. */
  matchingRules(metric: string): number[] {
    const fired: number[] = [];
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i];
      if (rule.regex !== null && !rule.regex.test(metric)) continue;
      fired.push(i);
      if (!rule.continueMatching) break;
    }
    return fired;
  }

  /** relay-rules.conf is read once at start (as carbon does): the destinations are a function of the name. */
  readonly pureRoutes = true;

  getDestinations(metric: string): readonly Destination[] {
    const hit = this.memo.get(metric);
    if (hit !== undefined) return hit;
    const out: Destination[] = [];
    let identity = '';
    for (const i of this.matchingRules(metric)) {
      for (const d of this.usable[i]) {
        if (out.includes(d)) continue;
        out.push(d);
        identity += d.key + '\u0000';
      }
    }
    const list = this.interner.intern(out, identity);
    this.memo.set(metric, list);
    return list;
  }

  explain(metric: string): ExplanationSection[] {
    return this.matchingRules(metric).map((i) => {
      const rule = this.rules[i];
      const ignored = rule.destinations.length - this.usable[i].length;
      const what = rule.regex === null ? 'default rule' : `pattern ${rule.pattern}${rule.continueMatching ? ' (continue)' : ''}`;
      return {
        stage: 'rules',
        summary:
          `rule [${rule.name}] (line ${rule.line}): ${what}` +
          (ignored > 0 ? `; ${ignored} destination(s) not in DESTINATIONS ignored` : ''),
        detail: { rule: rule.name, line: rule.line, pattern: rule.pattern, continue: rule.continueMatching },
      };
    });
  }
}
