/** Whose credentials doctor runs with (sts:GetCallerIdentity): every other check reads that account. */
import type { Check } from '../types';
import { pass, warn } from './common';

export const credentialsCheck: Check = {
  id: 'credentials', title: 'AWS credentials work', action: 'sts:GetCallerIdentity',
  async run(ctx) {
    const who = await ctx.caller(); // an error here is reported by runChecks as this check's failure
    const c = ctx.config;
    const roles: string[] = [];
    if (who.account === c.securityAccount.accountId) roles.push('the security account');
    if (who.account === c.organization.managementAccountId) roles.push('the management account');
    if (who.account === c.organization.delegatedAdminAccountId) roles.push('the StackSets delegated administrator');
    if (roles.length) return pass(`${who.arn} in ${roles.join(' and ')} ${who.account}`);
    return warn(`${who.arn} in account ${who.account}, which is neither the security account ${c.securityAccount.accountId} nor the management account ${c.organization.managementAccountId}`,
      'checks that read the security or management account are skipped; run doctor with credentials of those accounts (--profile)');
  },
};
