import type { Destination } from './destination.js';
import { pyStrip } from '../../protocol/python-text.js';
import { DestinationParseError } from './errors.js';

// Python's int(str) for base 10: surrounding whitespace, an optional sign, digits with single
// underscores between them. (Non-ASCII decimal digits, which Python also accepts, are rejected.)
const PY_INT = /^([+-]?\d(?:_?\d)*)$/;

/** Python `int(text)` as parseDestination applies it to the port, or null when Python raises ValueError. */
function pythonInt(text: string): number | null {
  const m = PY_INT.exec(pyStrip(text));
  return m ? Number(m[1].replaceAll('_', '')) : null;
}

/** The key carbon-ts uses for a destination: `host:port:instance`, `None` for no instance, as carbon prints it. */
export function destinationKey(host: string, port: number, instance: string | null): string {
  return `${host}:${port}:${instance ?? 'None'}`;
}

export function makeDestination(host: string, port: number, instance: string | null): Destination {
  return { host, port, instance, key: destinationKey(host, port, instance) };
}

/**
 * carbon/util.py `parseDestination`, quirks included: the text is stripped; `[v6]:port` is recognised
 * by a leading `[` (the host is what lies between it and the last `]:`); otherwise the host is the
 * text before the first `:`. What follows is `port[:instance]`, split at its first `:`, so an instance
 * may itself contain `:`; an empty instance (`host:2004:`) is the empty string, not None. Python
 * slices with a missing separator (index -1) exactly as String.prototype.slice does, so `2004` alone
 * parses as host `200`, port 2004 — as in carbon.
 */
export function parseDestination(text: string): Destination {
  const s = pyStrip(text);
  let host: string;
  let rest: string;
  if (s.startsWith('[')) {
    const bidx = s.lastIndexOf(']:');
    host = s.slice(1, bidx);
    rest = s.slice(bidx + 2);
  } else {
    const cidx = s.indexOf(':');
    host = s.slice(0, cidx);
    rest = s.slice(cidx + 1);
  }
  let portText = rest;
  let instance: string | null = null;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    portText = rest.slice(0, colon);
    instance = rest.slice(colon + 1);
  }
  const port = pythonInt(portText);
  if (port === null) throw new DestinationParseError(text, `port ${JSON.stringify(portText)} is not an integer`);
  return makeDestination(host, port, instance);
}

/** carbon/util.py `parseDestinations`: every entry parsed in order (duplicates are the router's concern). */
export function parseDestinations(texts: readonly string[]): Destination[] {
  return texts.map(parseDestination);
}

/**
 * Identity of a destination as Python compares the (host, port, instance) tuple: unlike `key`, keeps
 * instance None apart from the string "None".
 */
export function destinationIdentity(d: Destination): string {
  return `${d.host}\u0000${d.port}\u0000${d.instance === null ? '\u0001' : 's' + d.instance}`;
}
