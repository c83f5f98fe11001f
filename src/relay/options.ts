import type { DestinationProtocol } from './encode/frame-encoder.js';

/** Everything a destination client needs, in plain values (the daemon maps carbon.conf onto it). */
export interface DestinationOptions {
  /** DESTINATION_PROTOCOL. */
  protocol: DestinationProtocol;
  /** MAX_QUEUE_SIZE: points held in memory per destination before spilling (or dropping). */
  maxQueueSize: number;
  /** MAX_DATAPOINTS_PER_MESSAGE: points per pickle/protobuf frame, per line burst, per spill record. */
  maxDatapointsPerMessage: number;
  /** QUEUE_LOW_WATERMARK_PCT: below this fraction of maxQueueSize a full queue has room again. */
  queueLowWatermarkPct: number;
  /** First reconnect delay (carbon / Twisted: 1 s, multiplied by e after each failure). */
  reconnectInitialDelayMs: number;
  /** Backoff cap (carbon's CarbonClientFactory.maxDelay = 5 s; RELAY_RECONNECT_MAX_DELAY). */
  reconnectMaxDelayMs: number;
  /** TCP_KEEPALIVE and TCP_KEEPIDLE (seconds). Node cannot set TCP_KEEPINTVL / TCP_KEEPCNT. */
  tcpKeepAlive: boolean;
  tcpKeepIdleSec: number;
  /** Beyond carbon: overflow goes to disk segments instead of being dropped. */
  spillEnabled: boolean;
  /** Root of the spill; one subdirectory per destination. */
  spillDir: string;
  /** Total bytes all destinations' spills may hold. */
  spillMaxBytes: number;
  /** A segment file is closed (fsynced) and a new one begun past this size. */
  segmentBytes: number;
  /** Pace of replay from the spill once a destination is back, in points per second. */
  replayMaxPointsPerSecond: number;
  /**
   * Frames written within this many ms before the destination closed or reset the connection are
   * sent again after reconnecting: the peer may not have read them, or (Python carbon-cache on
   * SIGTERM) read them and not stored them. Delivery becomes at-least-once; a duplicate is harmless
   * to Whisper, which overwrites the slot with the same value. 0 = carbon's behaviour (may lose them).
   */
  resendWindowMs: number;
  /** Cap on the points kept for resending (memory: ~24 bytes each plus the name). */
  resendMaxPoints: number;
  /** stop(): how long to keep sending memory queues before spilling what remains. */
  stopFlushDeadlineMs: number;
}

export const DEFAULT_DESTINATION_OPTIONS: DestinationOptions = {
  protocol: 'pickle',
  maxQueueSize: 1000,
  maxDatapointsPerMessage: 500,
  queueLowWatermarkPct: 0.8,
  reconnectInitialDelayMs: 1000,
  reconnectMaxDelayMs: 5000,
  tcpKeepAlive: true,
  tcpKeepIdleSec: 10,
  spillEnabled: true,
  spillDir: 'storage/relay-spill',
  spillMaxBytes: 1024 * 1024 * 1024,
  segmentBytes: 16 * 1024 * 1024,
  replayMaxPointsPerSecond: 50_000,
  resendWindowMs: 2000,
  resendMaxPoints: 200_000,
  stopFlushDeadlineMs: 5000,
};

export class InvalidDestinationOptionError extends Error {
  constructor(option: string, value: unknown, reason: string) {
    super(`relay destination option ${option}=${String(value)}: ${reason}`);
    this.name = 'InvalidDestinationOptionError';
  }
}

export function resolveDestinationOptions(partial: Partial<DestinationOptions> = {}): DestinationOptions {
  const o: DestinationOptions = { ...DEFAULT_DESTINATION_OPTIONS };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  const positive = ['maxQueueSize', 'maxDatapointsPerMessage', 'spillMaxBytes', 'segmentBytes', 'replayMaxPointsPerSecond'] as const;
  for (const k of positive) if (!(o[k] > 0)) throw new InvalidDestinationOptionError(k, o[k], 'must be a positive number');
  if (o.reconnectInitialDelayMs < 0 || o.reconnectMaxDelayMs < 0) throw new InvalidDestinationOptionError('reconnect delay', o.reconnectMaxDelayMs, 'must not be negative');
  return o;
}
