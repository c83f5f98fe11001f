/**
 * Every carbon.conf option with the default carbon's code uses (carbon/conf.py `defaults`, 1.1.10),
 * plus the carbon-ts-only options. The JavaScript type of a default decides how a value from the file
 * is converted, exactly as carbon uses `type(defaults[key])`: arrays are comma lists, booleans go
 * through ConfigParser.getboolean(), everything else (numbers, strings, None, and keys without a
 * default) is guessed: int, else float, else the string.
 */

/** A setting's value as carbon holds it (Python list / bool / int or float / str / None). */
export type PyValue = string | number | boolean | string[] | null;

export const CARBON_DEFAULTS = {
  USER: '',
  MAX_CACHE_SIZE: Infinity,
  MAX_UPDATES_PER_SECOND: 500,
  MAX_CREATES_PER_MINUTE: Infinity,
  MIN_TIMESTAMP_RESOLUTION: 0,
  MIN_TIMESTAMP_LAG: 0,
  LINE_RECEIVER_INTERFACE: '0.0.0.0',
  LINE_RECEIVER_PORT: 2003,
  ENABLE_UDP_LISTENER: false,
  UDP_RECEIVER_INTERFACE: '0.0.0.0',
  UDP_RECEIVER_PORT: 2003,
  PICKLE_RECEIVER_INTERFACE: '0.0.0.0',
  PICKLE_RECEIVER_PORT: 2004,
  MAX_RECEIVER_CONNECTIONS: Infinity,
  CACHE_QUERY_INTERFACE: '0.0.0.0',
  CACHE_QUERY_PORT: 7002,
  LOG_UPDATES: true,
  LOG_CREATES: true,
  LOG_CACHE_HITS: true,
  LOG_CACHE_QUEUE_SORTS: true,
  DATABASE: 'whisper',
  WHISPER_AUTOFLUSH: false,
  WHISPER_SPARSE_CREATE: false,
  WHISPER_FALLOCATE_CREATE: false,
  WHISPER_LOCK_WRITES: false,
  WHISPER_FADVISE_RANDOM: false,
  CERES_MAX_SLICE_GAP: 80,
  CERES_NODE_CACHING_BEHAVIOR: 'all',
  CERES_SLICE_CACHING_BEHAVIOR: 'latest',
  CERES_LOCK_WRITES: false,
  MAX_DATAPOINTS_PER_MESSAGE: 500,
  MAX_AGGREGATION_INTERVALS: 5,
  FORWARD_ALL: true,
  MAX_QUEUE_SIZE: 1000,
  QUEUE_LOW_WATERMARK_PCT: 0.8,
  TIME_TO_DEFER_SENDING: 0.0001,
  ENABLE_AMQP: false,
  AMQP_METRIC_NAME_IN_BODY: false,
  AMQP_VERBOSE: false,
  AMQP_SPEC: null as string | null,
  BIND_PATTERNS: ['#'] as string[],
  GRAPHITE_URL: 'http://127.0.0.1:80',
  ENABLE_TAGS: true,
  TAG_UPDATE_INTERVAL: 100,
  TAG_BATCH_SIZE: 100,
  TAG_QUEUE_SIZE: 10000,
  TAG_HASH_FILENAMES: true,
  TAG_RELAY_NORMALIZED: false,
  ENABLE_MANHOLE: false,
  MANHOLE_INTERFACE: '127.0.0.1',
  MANHOLE_PORT: 7222,
  MANHOLE_USER: '',
  MANHOLE_PUBLIC_KEY: '',
  MANHOLE_HOST_KEY_DIR: '',
  RELAY_METHOD: 'rules',
  DYNAMIC_ROUTER: false,
  DYNAMIC_ROUTER_MAX_RETRIES: 5,
  ROUTER_HASH_TYPE: null as string | null,
  REPLICATION_FACTOR: 1,
  DIVERSE_REPLICAS: true,
  DESTINATIONS: [] as string[],
  DESTINATION_PROTOCOL: 'pickle',
  DESTINATION_TRANSPORT: 'none',
  DESTINATION_SSL_CA: null as string | null,
  DESTINATION_POOL_REPLICAS: false,
  USE_FLOW_CONTROL: true,
  USE_INSECURE_UNPICKLER: false,
  USE_WHITELIST: false,
  CARBON_METRIC_PREFIX: 'carbon',
  CARBON_METRIC_INTERVAL: 60,
  CACHE_WRITE_STRATEGY: 'sorted',
  WRITE_BACK_FREQUENCY: null as number | null,
  MIN_RESET_STAT_FLOW: 1000,
  MIN_RESET_RATIO: 0.9,
  MIN_RESET_INTERVAL: 121,
  TCP_KEEPALIVE: true,
  TCP_KEEPIDLE: 10,
  TCP_KEEPINTVL: 30,
  TCP_KEEPCNT: 2,
  USE_RATIO_RESET: false,
  LOG_LISTENER_CONN_SUCCESS: true,
  LOG_AGGREGATOR_MISSES: true,
  AGGREGATION_RULES: 'aggregation-rules.conf',
  REWRITE_RULES: 'rewrite-rules.conf',
  RELAY_RULES: 'relay-rules.conf',
  ENABLE_LOGROTATION: true,
  METRIC_CLIENT_IDLE_TIMEOUT: null as number | null,
  CACHE_METRIC_NAMES_MAX: 0,
  CACHE_METRIC_NAMES_TTL: 0,
  RAVEN_DSN: null as string | null,
  PICKLE_RECEIVER_MAX_LENGTH: 2 ** 20,
  // 1.1.8+ (Debian's installed 1.1.7 has neither in its table and guesses their type instead).
  LOG_LISTENER_CONN_LOST: false,
  SKIP_TAGS_FOR_NONTAGGED: true,
};

/** Options carbon reads but has no default for: present only when set, type guessed. */
export const CARBON_OPTIONAL_NUMBERS = ['MAX_UPDATES_PER_SECOND_ON_SHUTDOWN', 'PROTOBUF_RECEIVER_PORT'] as const;
export const CARBON_OPTIONAL_STRINGS = ['PROTOBUF_RECEIVER_INTERFACE'] as const;

/**
 * carbon-ts-only options (documented in conf/carbon.conf). Each one that prevents data loss is on by
 * default; the others default to carbon's behaviour. RELAY_SPILL_DIR is derived from STORAGE_DIR
 * like carbon's directories, so it is not in this table.
 */
export const CARBON_TS_DEFAULTS = {
  /** Relay/aggregator: a destination's queue overflows into disk segments instead of dropping. */
  RELAY_SPILL_ENABLED: true,
  RELAY_SPILL_MAX_BYTES: 1073741824,
  RELAY_SPILL_SEGMENT_BYTES: 16777216,
  /** Replay pace after a destination recovers, so it is not flooded. */
  RELAY_REPLAY_MAX_POINTS_PER_SECOND: 50000,
  /** Upper bound of the reconnect back-off, seconds. */
  RELAY_RECONNECT_MAX_DELAY: 5,
  /** Cache: series waiting for MAX_CREATES_PER_MINUTE tokens stay queued instead of being dropped. */
  CREATE_QUEUE_ENABLED: true,
  CREATE_QUEUE_MAX_SIZE: Infinity,
  /**
   * Writer: Whisper file descriptors (and parsed headers) kept open in an LRU. 0 = as many as the
   * descriptor limit allows, less 4,096 for connections, at most 65,536.
   */
  WHISPER_MAX_OPEN_FILES: 0,
  /**
   * Cache writer: threads doing the Whisper file I/O, each owning the series whose name hashes to it.
   * 0 = one per CPU core, at most 2 (the main thread parses and caches).
   */
  WRITER_THREADS: 0,
  /** Aggregator: seconds an interval's state is kept so late points re-emit a complete aggregate; 0 = carbon. */
  AGGREGATION_LATENESS_WINDOW: 0,
};

export const ALL_DEFAULTS: Readonly<Record<string, PyValue>> = { ...CARBON_DEFAULTS, ...CARBON_TS_DEFAULTS };

/** RELAY_METHOD values carbon 1.1.x accepts (carbon/routers.py plugin names). */
export const RELAY_METHODS = ['rules', 'consistent-hashing', 'aggregated-consistent-hashing', 'fast-hashing', 'fast-aggregated-hashing'] as const;
