// Typed errors mirroring the Python whisper module's exception hierarchy.
// Messages are the Python messages, so tools built on this library can print
// `[ERROR] <message>` exactly as the whisper-* scripts do.

/** Base class of every error the Whisper library raises on purpose (Python: WhisperException). */
export class WhisperError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidConfiguration extends WhisperError {}
export class InvalidAggregationMethod extends WhisperError {}
export class InvalidTimeInterval extends WhisperError {}
export class InvalidXFilesFactor extends WhisperError {}
export class TimestampNotCovered extends WhisperError {}

/**
 * The file's header or data region cannot be trusted. `message` is Python's
 * `str(e)` form: "<error> (<path>)"; `error` and `path` hold the parts.
 */
export class CorruptWhisperFile extends WhisperError {
  readonly error: string;
  readonly path: string;
  constructor(error: string, path: string) {
    super(`${error} (${path})`);
    this.error = error;
    this.path = path;
  }
}

/**
 * Python raises plain ValueError (not a WhisperException) for malformed
 * retention definitions, bad granularity and merge time ranges. Kept apart
 * from WhisperError so callers can tell them apart like the Python tools do.
 */
export class WhisperValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

/** Python's NotImplementedError from merge/diff on files with different archive layouts. */
export class ArchiveLayoutMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotImplementedError';
  }
}

/**
 * A timestamp that cannot be packed as an unsigned 32-bit integer (Python
 * raises struct.error while packing; nothing of that archive is written).
 */
export class TimestampOutOfRange extends Error {
  constructor(timestamp: number) {
    super(`'L' format requires 0 <= number <= 4294967295 (timestamp ${timestamp})`);
    this.name = 'StructError';
  }
}

/** Python's ZeroDivisionError from a zero precision in a retention definition or archive list. */
export class ZeroDivision extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZeroDivisionError';
  }
}
