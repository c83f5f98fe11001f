/**
 * A configuration file carbon-ts cannot use. The message names the file, the line (when known) and
 * what is wrong, so an operator can fix it without reading code: `carbon.conf:12: USE_WHITELIST: Not a
 * boolean: maybe`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${reason}`);
  }
}
