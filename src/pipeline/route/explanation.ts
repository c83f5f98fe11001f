import type { Router } from './destination.js';

/**
 * One step of "why does this name go there", as `carbon-ts route` prints it: the rule or ring that
 * decided, in pipeline order. Other stages (rewrite, aggregation) add their own sections.
 */
export interface ExplanationSection {
  /** What produced this section, e.g. `rules`, `consistent-hashing`, `tags`, `aggregation`. */
  readonly stage: string;
  /** One human-readable line. */
  readonly summary: string;
  /** Machine-readable detail for `--json`. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** A router that can also say why it chose its destinations (for `carbon-ts route`). */
export interface ExplainingRouter extends Router {
  explain(metric: string): ExplanationSection[];
}
