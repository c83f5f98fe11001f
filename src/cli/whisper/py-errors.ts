// How the Python tools report the errors carbon-ts's Whisper library and Node's fs raise:
// WhisperException subclasses become "[ERROR] <message>" where a tool catches them; everything
// else escapes Python as a traceback whose last line is "<PythonType>: <message>".
import { ArchiveLayoutMismatch, TimestampOutOfRange, WhisperError, WhisperValueError } from '../../whisper/errors.js';
import { pyStrRepr } from './pyformat.js';
import { SystemExitMessage, UncaughtPythonError } from './tool-errors.js';

const ERRNO: Record<string, [number, string, string]> = {
  ENOENT: [2, 'No such file or directory', 'FileNotFoundError'],
  EACCES: [13, 'Permission denied', 'PermissionError'],
  EPERM: [1, 'Operation not permitted', 'PermissionError'],
  EEXIST: [17, 'File exists', 'FileExistsError'],
  ENOTDIR: [20, 'Not a directory', 'NotADirectoryError'],
  EISDIR: [21, 'Is a directory', 'IsADirectoryError'],
  EROFS: [30, 'Read-only file system', 'OSError'],
  ENOSPC: [28, 'No space left on device', 'OSError'],
  EIO: [5, 'Input/output error', 'OSError'],
};

/** Node's fs error (has a string `code`), i.e. Python's OSError/IOError. */
export function isOSError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).code!.startsWith('E');
}

/** Python's str(OSError): "[Errno 2] No such file or directory: 'path'". */
export function osErrorText(err: NodeJS.ErrnoException, path?: string): string {
  const known = ERRNO[err.code ?? ''];
  const errno = known?.[0] ?? Math.abs(err.errno ?? 0);
  const text = known?.[1] ?? err.message;
  const file = path ?? err.path;
  return file !== undefined ? `[Errno ${errno}] ${text}: ${pyStrRepr(file)}` : `[Errno ${errno}] ${text}`;
}

function osErrorType(err: NodeJS.ErrnoException): string {
  return ERRNO[err.code ?? '']?.[2] ?? 'OSError';
}

export function isWhisperException(err: unknown): err is WhisperError {
  return err instanceof WhisperError;
}

/** Wraps an error that the Python tool would not catch into the traceback it would print. */
export function uncaught(err: unknown, path?: string): UncaughtPythonError {
  if (err instanceof UncaughtPythonError) return err;
  if (isOSError(err)) return new UncaughtPythonError(osErrorType(err), osErrorText(err, path));
  if (err instanceof WhisperError) return new UncaughtPythonError(`whisper.${err.constructor.name}`, err.message);
  if (err instanceof WhisperValueError) return new UncaughtPythonError('ValueError', err.message);
  if (err instanceof ArchiveLayoutMismatch) return new UncaughtPythonError('NotImplementedError', err.message);
  if (err instanceof TimestampOutOfRange) return new UncaughtPythonError('struct.error', err.message);
  const message = err instanceof Error ? err.message : String(err);
  return new UncaughtPythonError('Exception', message);
}

/** `except whisper.WhisperException as exc: raise SystemExit('[ERROR] %s' % str(exc))`; anything else escapes. */
export function exitOnWhisperException(err: unknown, path?: string): never {
  if (isWhisperException(err)) throw new SystemExitMessage(`[ERROR] ${err.message}`);
  throw uncaught(err, path);
}
