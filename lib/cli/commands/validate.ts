import { loadConfigFile } from '../../config/load';
import type { Io } from '../io';
import { EXIT } from '../errors';
import { summarize } from '../summary';

export function runValidate(opts: { config: string; quiet?: boolean }, io: Io): number {
  const { config } = loadConfigFile(opts.config);
  if (!opts.quiet) {
    io.out(`${opts.config}: valid`);
    io.out(summarize(config));
  }
  return EXIT.ok;
}
