/**
 * A Python regular expression that carbon-ts cannot use. `pythonRejects` tells the two cases apart:
 * true = Python's `re` itself refuses the pattern (the same reason Python gives), false = Python
 * accepts it but it uses a construct JavaScript's RegExp cannot express faithfully, so carbon-ts
 * refuses it rather than silently matching something else.
 */
export class PythonRegexError extends Error {
  override readonly name = 'PythonRegexError';
  constructor(
    readonly pattern: string,
    readonly reason: string,
    readonly position: number | null,
    readonly pythonRejects: boolean,
  ) {
    super(
      `${pythonRejects ? 'invalid Python regex' : 'unsupported Python regex'} ${JSON.stringify(pattern)}: ${reason}` +
        (position === null ? '' : ` at position ${position}`),
    );
  }
}
