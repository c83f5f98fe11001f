/**
 * Errors of the wire protocols. Each says which Python exception carbon would have raised, because
 * that decides what carbon does next: some it catches (log, skip the frame, keep the connection),
 * others escape its handler and Twisted drops the connection.
 */

/** A pickle frame could not be turned into values. */
export class PickleDecodeError extends Error {
  override readonly name = 'PickleDecodeError';
  constructor(
    /** The Python exception class carbon would see, e.g. `UnpicklingError`, `EOFError`, `TypeError`. */
    readonly pythonError: string,
    message: string,
    /** True when carbon's `except` clause does not catch it, so the connection is dropped. */
    readonly dropsConnection = false,
  ) {
    super(message);
  }
}

/** The pickle names a global (class or function); the restricted unpickler refuses it. */
export class UnsafePickleError extends PickleDecodeError {
  constructor(readonly module: string, readonly global: string) {
    super('UnpicklingError', `Attempting to unpickle unsafe module ${module}`);
  }
}

/** A protobuf message that does not decode as carbon.Payload. */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
}

/** A value the pickle encoder cannot represent. */
export class PickleEncodeError extends Error {
  override readonly name = 'PickleEncodeError';
}
