/**
 * The doctor's trail check against moto_server: does a logging trail with read and write management events cover
 * every targeted account? An organization trail (in the management account) does; without one, a trail of the
 * account whose credentials doctor runs with covers only that account, and the check warns, naming the targets it
 * cannot prove covered. Only the trail check runs, on a small organization; skipped, visibly, without moto.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfigFile } from '../../lib/config/load';
import { trailCheck } from '../../lib/doctor/checks/trail';
import { createDoctorContext } from '../../lib/doctor/context';
import { runChecks } from '../../lib/doctor/run';
import type { CheckResult } from '../../lib/doctor/types';
import { motoForThisFile, withEnv, type MotoServer } from '../helpers/moto';
import { createOrganization, createStack, HOME, inAccount, MGMT, sdk, writeDoctorConfig, type OrgLayout } from './moto-org';

const moto = motoForThisFile();
const tmp = mkdtempSync(join(tmpdir(), 'breakglass-doctor-trail-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let s: Awaited<ReturnType<typeof sdk>>;
let org: OrgLayout;
let bucket: string;
let securityEnv: Record<string, string | undefined>;

const BUCKET_TEMPLATE = { Resources: { Bucket: { Type: 'AWS::S3::Bucket' } } };

async function trail(env: Record<string, string | undefined>, extra: string[] = []): Promise<CheckResult> {
  const cfg = writeDoctorConfig(join(tmp, `doctor-${extra.length}.yaml`), org, extra);
  const ctx = createDoctorContext(loadConfigFile(cfg).config);
  try {
    const [r] = await withEnv(env, () => runChecks(ctx, [trailCheck]));
    return r!;
  } finally {
    ctx.destroy();
  }
}

/** Creates a trail in `account` for the duration of `fn`. */
async function withTrail(m: MotoServer, account: string, opts: { organization: boolean; readWrite?: 'All' | 'WriteOnly'; logging?: boolean }, fn: () => Promise<void>): Promise<void> {
  const ct = inAccount(new s.ct.CloudTrailClient({ region: HOME, endpoint: m.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 }), account);
  const name = opts.organization ? 'breakglass-trail' : 'account-trail';
  try {
    await ct.send(new s.ct.CreateTrailCommand({ Name: name, S3BucketName: bucket, IsMultiRegionTrail: true, IsOrganizationTrail: opts.organization }));
    await ct.send(new s.ct.PutEventSelectorsCommand({ TrailName: name, EventSelectors: [{ ReadWriteType: opts.readWrite ?? 'All', IncludeManagementEvents: true }] }));
    if (opts.logging !== false) await ct.send(new s.ct.StartLoggingCommand({ Name: name }));
    await fn();
  } finally {
    await ct.send(new s.ct.DeleteTrailCommand({ Name: name }));
    ct.destroy();
  }
}

describe('doctor trail check against moto: which targets a trail covers', () => {
  before(async () => {
    const m = moto.current;
    if (!m) return;
    await withEnv(m.env, async () => {
      s = await sdk();
      org = await createOrganization(s, 2);
      await createStack(s, MGMT, HOME, 'trail-bucket', BUCKET_TEMPLATE);
      const cf = new s.cfn.CloudFormationClient({ region: HOME, maxAttempts: 1 });
      try {
        bucket = (await cf.send(new s.cfn.DescribeStackResourcesCommand({ StackName: 'trail-bucket' }))).StackResources![0]!.PhysicalResourceId!;
      } finally {
        cf.destroy();
      }
      const iam = inAccount(new s.iam.IAMClient({ region: HOME, maxAttempts: 1 }), org.security);
      try {
        await iam.send(new s.iam.CreateUserCommand({ UserName: 'doctor' }));
        const key = (await iam.send(new s.iam.CreateAccessKeyCommand({ UserName: 'doctor' }))).AccessKey!;
        securityEnv = { ...m.env, AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey, AWS_SESSION_TOKEN: undefined };
      } finally {
        iam.destroy();
      }
    });
  });

  it('organization trail present and logging read and write management events: every target covered (pass)', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    await withTrail(m, MGMT, { organization: true }, async () => {
      const r = await trail(m.env);
      assert.equal(r.status, 'pass', r.detail);
      assert.equal(r.detail, `organization trail logging read and write management events: breakglass-trail; an organization trail logs every account of the organization, so it covers every target: ${org.security} (security account), ${MGMT} (management account), every account in ${org.workloadsOu}`);
      // The same with cloudTrail.mode existing-organization-trail: any organization trail counts.
      assert.equal((await trail(m.env, ['cloudTrail:', '  mode: existing-organization-trail'])).status, 'pass');
    });
  });

  it('organization trail present but stopped, or logging only write events: fail', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    await withTrail(m, MGMT, { organization: true, logging: false }, async () => {
      const r = await trail(m.env);
      assert.equal(r.status, 'fail');
      assert.match(r.detail, /^organization trail not logging: breakglass-trail$/);
      assert.match(r.fix!, /aws cloudtrail start-logging/);
    });
    await withTrail(m, MGMT, { organization: true, readWrite: 'WriteOnly' }, async () => {
      const r = await trail(m.env);
      assert.equal(r.status, 'fail');
      assert.match(r.detail, /breakglass-trail \(no read, write\)/);
    });
  });

  it("organization trail absent, a trail of the security account only: warn, naming the targets it cannot prove covered", async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    await withTrail(m, org.security, { organization: false }, async () => {
      const r = await trail(securityEnv);
      assert.equal(r.status, 'warn', r.detail);
      assert.equal(r.detail, `no organization trail (breakglass-trail from Breakglass-Trail); multi-region trail logging read and write management events: account-trail, which covers only account ${org.security}. Not proven covered: ${MGMT} (management account), every account in ${org.workloadsOu}: doctor sees only the trails of the account its credentials belong to`);
      assert.match(r.fix!, /^deploy Breakglass-Trail with credentials of the management account/);
      const existing = await trail(securityEnv, ['cloudTrail:', '  mode: existing-organization-trail']);
      assert.equal(existing.status, 'warn');
      assert.match(existing.fix!, /create an organization trail from the management account/);
    });
  });

  it('no trail at all: fail, EventBridge receives no CloudTrail events', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const r = await trail(m.env);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /^no organization trail \(breakglass-trail from Breakglass-Trail\) and no multi-region trail in us-east-1: EventBridge receives no CloudTrail events/);
    assert.match(r.fix!, /^deploy Breakglass-Trail/);
  });
});
