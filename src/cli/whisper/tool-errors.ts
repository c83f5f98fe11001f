// How a tool ends other than by returning: the Python tools' sys.exit, SystemExit and uncaught exceptions.

/** Ends a tool early with an exit code, like Python's sys.exit(); output was already written. */
export class ToolExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Python's `raise SystemExit(message)`: the message on stderr, exit status 1. */
export class SystemExitMessage extends Error {}

/**
 * An error the Python tool does not catch, which Python reports as a traceback ending in
 * `<pythonType>: <message>` with exit status 1. carbon-ts prints the same last line.
 */
export class UncaughtPythonError extends Error {
  constructor(readonly pythonType: string, message: string) {
    super(message);
  }
}
