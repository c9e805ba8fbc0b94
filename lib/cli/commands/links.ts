/**
 * `breakglass links`: the emergency sheet to print and vault with the password: the security account's sign-in
 * URL and, for every active account, the break-glass role ARN and its console switch-role link.
 * Online it lists the organization's accounts (organizations:DescribeOrganization + ListAccounts, with credentials of
 * the management account or a delegated administrator); --offline uses only the accounts the config names.
 * The AWS SDK is loaded only on the online path.
 */
import { extname } from 'node:path';
import { loadConfigFile } from '../../config/load';
import { FORMATS, render, type Format } from '../../links/render';
import { buildSheet, configAccounts, selectAccounts, type OrgAccount } from '../../links/sheet';
import { EXIT, UserError } from '../errors';
import { STDOUT, type Io } from '../io';
import { checkOutputFile, writeOutputFile } from '../output-file';
import { checkRegionOption, deadlineSeconds } from './doctor';

export interface LinksOptions {
  readonly config: string;
  readonly format?: Format;
  readonly out?: string;
  readonly offline?: boolean;
  readonly profile?: string;
  readonly region?: string;
  /** Seconds for the whole listing (--deadline). @default DEFAULT_DEADLINE_SECONDS */
  readonly deadline?: string;
}

const BY_EXTENSION: Record<string, Format> = { '.md': 'markdown', '.markdown': 'markdown', '.html': 'html', '.htm': 'html', '.json': 'json' };

/** --format, else the --out file's extension, else markdown. */
export function formatOf(opts: Pick<LinksOptions, 'format' | 'out'>): Format {
  if (opts.format) {
    if (!(FORMATS as readonly string[]).includes(opts.format)) throw new UserError(`--format: expected one of ${FORMATS.join(', ')}, got "${opts.format}"`, EXIT.usage);
    return opts.format;
  }
  return (opts.out && BY_EXTENSION[extname(opts.out).toLowerCase()]) || 'markdown';
}

export async function runLinks(opts: LinksOptions, io: Io): Promise<number> {
  const format = formatOf(opts);
  const deadline = deadlineSeconds(opts.deadline);
  if (!opts.offline) checkRegionOption(opts.region);
  const toStdout = !opts.out || opts.out === STDOUT;
  // Checked before listing the organization (which can take minutes), so the sheet is not lost at the end.
  if (!toStdout) checkOutputFile(opts.out!);
  const { config } = loadConfigFile(opts.config);

  let accounts: OrgAccount[];
  let notes: string[] = [];
  if (opts.offline) {
    accounts = configAccounts(config);
  } else {
    const { listOrganizationAccounts } = require('../../links/organization') as typeof import('../../links/organization');
    const org = await listOrganizationAccounts(config, { profile: opts.profile, region: opts.region }, { deadlineSeconds: deadline });
    const selected = selectAccounts(config, org.active);
    for (const w of selected.warnings) io.err(`warning: ${w}`);
    accounts = selected.accounts;
    notes = selected.notes;
    if (org.inactive > 0) notes.push(`${org.inactive} account${org.inactive === 1 ? ' is' : 's are'} not ACTIVE (suspended, closing or closed) and not listed.`);
  }

  const sheet = buildSheet(config, accounts, { configFile: opts.config, offline: !!opts.offline, notes });
  const text = render(sheet, format);
  if (!toStdout) {
    writeOutputFile(opts.out!, text);
    io.err(`wrote ${sheet.accounts.length} account${sheet.accounts.length === 1 ? '' : 's'} (${format}${sheet.offline ? ', offline' : ''}) to ${opts.out}`);
  } else {
    io.out(text, true);
  }
  return EXIT.ok;
}
