/**
 * Command-line flags of the benchmark scripts: every flag declared; an unknown flag or a bad value prints the
 * problem and the usage on stderr and exits with 2.
 */

export type FlagKind = 'flag' | 'value';

export class Args {
  private readonly given = new Map<string, string | true>();

  constructor(argv: readonly string[], spec: Readonly<Record<string, FlagKind>>, private readonly usage: string) {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      const kind = spec[a];
      if (!kind) this.fail(`unknown argument "${a}"`);
      if (kind === 'flag') { this.given.set(a, true); continue; }
      const v = argv[++i];
      if (v === undefined) this.fail(`${a} needs a value`);
      this.given.set(a, v);
    }
  }

  has(flag: string): boolean {
    return this.given.has(flag);
  }

  str(flag: string): string | undefined;
  str(flag: string, dflt: string): string;
  str(flag: string, dflt?: string): string | undefined {
    const v = this.given.get(flag);
    return typeof v === 'string' ? v : dflt;
  }

  /** A whole number, at least `least`. */
  int(flag: string, dflt: number, least = 0): number {
    const v = this.str(flag);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < least) this.fail(`${flag} needs a whole number of at least ${least}, got "${v}"`);
    return n;
  }

  /** A comma-separated list of positive whole numbers, or "none" for an empty one. */
  list(flag: string, dflt: readonly number[]): number[] {
    const v = this.str(flag);
    if (v === undefined) return [...dflt];
    if (v === 'none') return [];
    return v.split(',').filter(Boolean).map((x) => {
      const n = Number(x);
      if (!Number.isInteger(n) || n < 1) this.fail(`${flag} needs a comma-separated list of positive whole numbers or "none", got "${v}"`);
      return n;
    });
  }

  private fail(problem: string): never {
    process.stderr.write(`${problem}\n${this.usage}\n`);
    process.exit(2);
  }
}
