/** Exit codes, documented in `breakglass --help`. */
export const EXIT = { ok: 0, problems: 1, usage: 2, runtime: 3 } as const;

/** An error whose message is already fit for a person: printed as is, no stack trace. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.usage) {
    super(message);
    this.name = 'UserError';
  }
}
