import { ALL_DEFAULTS, type PyValue } from './carbon-defaults.js';
import type { Settings } from './carbon-conf.js';

/** carbon options that carbon-ts reads but does not act on, and what they would have done. */
export const UNSUPPORTED_OPTIONS: Readonly<Record<string, string>> = {
  ENABLE_AMQP: 'the AMQP listener is not implemented',
  ENABLE_MANHOLE: 'the manhole (SSH debug shell) is not implemented',
  DYNAMIC_ROUTER: 'destinations are not taken out of the ring when they fail (DYNAMIC_ROUTER)',
  DESTINATION_POOL_REPLICAS: 'replicas are not spread over destination pools',
  DESTINATION_TRANSPORT: 'relay connections are plain TCP (no ssl)',
  USE_RATIO_RESET: 'connections are not reset by the ratio of sent to received points',
  USE_INSECURE_UNPICKLER: 'pickles are always decoded by the restricted unpickler',
  RAVEN_DSN: 'errors are not sent to Sentry',
  TCP_KEEPINTVL: 'Node.js sets only the keep-alive idle time (TCP_KEEPIDLE)',
  TCP_KEEPCNT: 'Node.js sets only the keep-alive idle time (TCP_KEEPIDLE)',
};

const same = (a: PyValue | undefined, b: PyValue | undefined): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * One message per unsupported option the config file sets to something other than carbon's
 * default, naming the file and line, for the daemon to log at start (it still starts, as carbon
 * would with the feature switched on; silently ignoring the setting would hide it).
 */
export function unsupportedSettings(s: Pick<Settings, 'raw' | 'sources'>): string[] {
  const out: string[] = [];
  for (const [key, effect] of Object.entries(UNSUPPORTED_OPTIONS)) {
    const where = s.sources.get(key);
    if (!where || same(s.raw.get(key), ALL_DEFAULTS[key])) continue;
    out.push(`${where.file}:${where.line}: ${key} is not supported by carbon-ts and has no effect: ${effect}`);
  }
  return out;
}
