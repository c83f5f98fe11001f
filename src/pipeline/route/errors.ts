/**
 * Errors of the routing configuration: they stop a relay at startup (as carbon's tracebacks do) and
 * tell the operator which setting or file line is wrong.
 */
export class RoutingConfigError extends Error {
  override name = 'RoutingConfigError';
}

/** A DESTINATIONS / relay-rules `destinations` entry that carbon's parseDestination rejects. */
export class DestinationParseError extends RoutingConfigError {
  override name = 'DestinationParseError';
  constructor(
    readonly text: string,
    readonly reason: string,
  ) {
    super(`invalid destination ${JSON.stringify(text)}: ${reason} (expected host:port[:instance] or [ipv6]:port[:instance])`);
  }
}
