/**
 * A downstream carbon node as carbon names it in DESTINATIONS: `host:port[:instance]`
 * (IPv6 as `[addr]:port[:instance]`). `instance` is null when omitted, as in carbon, which matters
 * for the ring: the ring key is `(host, instance)`.
 */
export interface Destination {
  readonly host: string;
  readonly port: number;
  readonly instance: string | null;
  /** `host:port:instance` (instance `None` when null, as carbon prints it); unique per destination. */
  readonly key: string;
}

/** Decides where each metric goes. Implementations memoise per name: series repeat every interval. */
export interface Router {
  /** Destinations for a metric, primary first then replicas. The array must not be mutated. */
  getDestinations(metric: string): readonly Destination[];
  /**
   * True when getDestinations depends on the name alone and never changes its answer (no reloadable
   * rules behind it), so a caller may cache answers per name.
   */
  readonly pureRoutes?: boolean;
}
