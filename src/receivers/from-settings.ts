/**
 * Starts a daemon's metric listeners from carbon.conf settings (carbon's option names), the way
 * carbon's CarbonServerProtocol.build does: a listener per configured port, port 0 = disabled, UDP
 * only with ENABLE_UDP_LISTENER, protobuf only when both PROTOBUF_RECEIVER_* are set.
 */
import type { BatchSink } from '../pipeline/batch.js';
import type { AcceptFilterOptions } from './accept-path.js';
import { ReceiverGroup, type TcpReceiver } from './receiver-group.js';
import type { UdpReceiver } from './udp-receiver.js';

/** The carbon.conf options the receivers read; src/config's Settings satisfies it. */
export interface ReceiverSettings {
  readonly LINE_RECEIVER_INTERFACE: string;
  readonly LINE_RECEIVER_PORT: number;
  readonly PICKLE_RECEIVER_INTERFACE: string;
  readonly PICKLE_RECEIVER_PORT: number;
  readonly PICKLE_RECEIVER_MAX_LENGTH: number;
  readonly ENABLE_UDP_LISTENER: boolean;
  readonly UDP_RECEIVER_INTERFACE: string;
  readonly UDP_RECEIVER_PORT: number;
  readonly PROTOBUF_RECEIVER_INTERFACE: string | null;
  readonly PROTOBUF_RECEIVER_PORT: number | null;
  readonly MAX_RECEIVER_CONNECTIONS: number;
  readonly METRIC_CLIENT_IDLE_TIMEOUT: number | null;
  readonly TCP_KEEPALIVE: boolean;
  readonly TCP_KEEPIDLE: number;
  readonly LOG_LISTENER_CONN_SUCCESS: boolean;
  readonly LOG_LISTENER_CONN_LOST: boolean;
  readonly MIN_TIMESTAMP_RESOLUTION: number;
  readonly USE_WHITELIST: boolean;
}

/** What a white/blacklist offers (src/config's RegexList fits). */
export interface NameList {
  readonly isEmpty: boolean;
  matches(name: string): boolean;
}

/**
 * The accept-path predicates for USE_WHITELIST. Emptiness is checked per call because the lists
 * are re-read when their files change: an empty blacklist filters nothing, an empty whitelist
 * lets everything through.
 */
export function listFilters(whitelist: NameList, blacklist: NameList): Pick<AcceptFilterOptions, 'isBlacklisted' | 'isWhitelisted'> {
  return {
    isBlacklisted: (name) => !blacklist.isEmpty && blacklist.matches(name),
    isWhitelisted: (name) => whitelist.isEmpty || whitelist.matches(name),
  };
}

export interface StartedReceivers {
  readonly group: ReceiverGroup;
  readonly line?: TcpReceiver;
  readonly pickle?: TcpReceiver;
  readonly protobuf?: TcpReceiver;
  readonly udp?: UdpReceiver;
}

export interface StartReceiversOptions {
  /** The white/blacklists, used only if USE_WHITELIST. */
  lists?: { whitelist: NameList; blacklist: NameList };
  /**
   * Port 0 means "disabled" in carbon. Tests that need OS-chosen ports set this to true; then
   * every listener is started and port 0 lets the OS choose (read the ports from the result).
   */
  zeroPortMeansAnyPort?: boolean;
}

export async function startReceivers(settings: ReceiverSettings, sink: BatchSink, options: StartReceiversOptions = {}): Promise<StartedReceivers> {
  const filters = settings.USE_WHITELIST && options.lists ? listFilters(options.lists.whitelist, options.lists.blacklist) : {};
  const group = new ReceiverGroup(sink, {
    ...filters,
    minTimestampResolution: settings.MIN_TIMESTAMP_RESOLUTION,
    maxConnections: settings.MAX_RECEIVER_CONNECTIONS,
    idleTimeoutSeconds: settings.METRIC_CLIENT_IDLE_TIMEOUT,
    tcpKeepAlive: settings.TCP_KEEPALIVE,
    tcpKeepIdle: settings.TCP_KEEPIDLE,
    logConnectionSuccess: settings.LOG_LISTENER_CONN_SUCCESS,
    logConnectionLost: settings.LOG_LISTENER_CONN_LOST,
  });
  const enabled = (port: number | null): port is number => port !== null && (port > 0 || options.zeroPortMeansAnyPort === true);
  try {
    const line = enabled(settings.LINE_RECEIVER_PORT) ? await group.listenLine({ interface: settings.LINE_RECEIVER_INTERFACE, port: settings.LINE_RECEIVER_PORT }) : undefined;
    const pickle = enabled(settings.PICKLE_RECEIVER_PORT)
      ? await group.listenPickle({ interface: settings.PICKLE_RECEIVER_INTERFACE, port: settings.PICKLE_RECEIVER_PORT, maxFrameLength: settings.PICKLE_RECEIVER_MAX_LENGTH })
      : undefined;
    const protobuf =
      settings.PROTOBUF_RECEIVER_INTERFACE !== null && enabled(settings.PROTOBUF_RECEIVER_PORT)
        ? await group.listenProtobuf({ interface: settings.PROTOBUF_RECEIVER_INTERFACE, port: settings.PROTOBUF_RECEIVER_PORT })
        : undefined;
    const udp = settings.ENABLE_UDP_LISTENER && enabled(settings.UDP_RECEIVER_PORT) ? await group.listenUdp({ interface: settings.UDP_RECEIVER_INTERFACE, port: settings.UDP_RECEIVER_PORT }) : undefined;
    return { group, line, pickle, protobuf, udp };
  } catch (err) {
    // A port in use: release what was bound before reporting.
    await group.close();
    throw err;
  }
}
