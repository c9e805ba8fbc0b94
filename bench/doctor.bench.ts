/**
 * `breakglass doctor` at organization scale, against moto_server (a script, not a test).
 *
 *   npx tsx bench/doctor.bench.ts                    500 accounts, 2 regions, 3 runs per case; updates docs/benchmarks.md
 *   npx tsx bench/doctor.bench.ts --accounts 100 --regions 3 --runs 1 --latency 0,50 --no-write
 *   options: --accounts N (500) --regions N (2, of 5) --runs N (3) --latency MS,MS (0,50) --no-write --doc FILE
 *
 * Setup, in a private moto_server: an organization (Organizations CreateAccount ×N, spread over two OUs, Workloads
 * and its child Prod), the member StackSet (service-managed, a one-resource stand-in template: doctor reads instance
 * statuses only) with instances in every account × region, and an SCP on the Workloads OU. Doctor then runs every
 * check in-process (createDoctorContext + runChecks, as the CLI does, lib/ through tsx: no dist/ involved) with the
 * management account's credentials, at concurrency 1 and at the default 16, and reports wall time and the number of
 * AWS calls (every client.send, counted in the context). moto answers in about a millisecond, far faster than AWS
 * (tens of ms per call), so each case also runs behind a local proxy that delays every request by --latency ms,
 * which is where concurrency shows. Runs of the two concurrencies are interleaved. The section keeps the notes
 * written by hand below its generated part.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfigFile } from '../lib/config/load';
import { CHECKS } from '../lib/doctor/checks/index';
import { createDoctorContext } from '../lib/doctor/context';
import { runChecks } from '../lib/doctor/run';
import { startMoto, withEnv } from '../test/helpers/moto';
import { createOrganization, createStackSet, sdk, writeDoctorConfig } from '../test/doctor/moto-org';
import { Args } from './lib/args';
import { DOC_FLAGS, DOC_USAGE, docTarget, publish } from './lib/docs-writer';
import { machine, pythonFacts } from './lib/machine';
import { interleavedAsync, summary } from './lib/stats';

const SECTION = '## Doctor';
const REGION_POOL = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-2', 'eu-central-1'];
const CONCURRENCY = [1, 16];

const args = new Args(process.argv.slice(2), { '--accounts': 'value', '--regions': 'value', '--runs': 'value', '--latency': 'value', ...DOC_FLAGS },
  `usage: npx tsx bench/doctor.bench.ts [--accounts N] [--regions N] [--runs N] [--latency MS,MS] [${DOC_USAGE}]`);

/** Forwards to moto after `ms` of delay: a stand-in for the network round trip to AWS. */
async function latencyProxy(target: string, ms: number): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      await new Promise((r) => setTimeout(r, ms));
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)).map(([k, v]) => [k, String(v)]));
      const r = await fetch(`${target}${req.url ?? '/'}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
      const body = Buffer.from(await r.arrayBuffer());
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/xml' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  return { endpoint: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, close: () => new Promise((r) => server.close(() => r())) };
}

async function main(): Promise<void> {
  const target = docTarget(args);
  const accounts = args.int('--accounts', 500, 1);
  const regions = REGION_POOL.slice(0, args.int('--regions', 2, 1));
  const runs = args.int('--runs', 3, 1);
  const latencies = args.str('--latency', '0,50').split(',').map(Number);
  const m = machine();
  const tmp = mkdtempSync(join(tmpdir(), 'breakglass-doctor-bench-'));
  const moto = await startMoto();
  try {
    const t0 = performance.now();
    const config = await withEnv(moto.env, async () => {
      const s = await sdk();
      const org = await createOrganization(s, accounts);
      await createStackSet(s, org, regions);
      const orgs = new s.org.OrganizationsClient({});
      const content = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'ProtectLogs', Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }] });
      const p = (await orgs.send(new s.org.CreatePolicyCommand({ Name: 'protect-logs', Description: 'bench', Type: 'SERVICE_CONTROL_POLICY', Content: content }))).Policy!.PolicySummary!.Id!;
      await orgs.send(new s.org.AttachPolicyCommand({ PolicyId: p, TargetId: org.workloadsOu }));
      orgs.destroy();
      const c = loadConfigFile(writeDoctorConfig(join(tmp, 'bench.yaml'), org)).config;
      return { ...c, regions: { enabled: regions, optIn: [] } };
    });
    const setupS = (performance.now() - t0) / 1000;
    const rows: string[] = [];
    let statuses = '';
    for (const latency of latencies) {
      const proxy = latency > 0 ? await latencyProxy(moto.endpoint, latency) : undefined;
      const env = { ...moto.env, AWS_ENDPOINT_URL: proxy?.endpoint ?? moto.endpoint };
      const calls = new Map<number, number>();
      const times = await interleavedAsync(CONCURRENCY, { warmup: 0, runs }, async ({ c: concurrency }) => {
        const ctx = createDoctorContext(config, { concurrency });
        const start = performance.now();
        const results = await withEnv(env, () => runChecks(ctx, CHECKS));
        const ms = performance.now() - start;
        calls.set(concurrency, ctx.calls);
        ctx.destroy();
        const st = results.find((r) => r.id === 'stackset-instances')!;
        if (st.status !== 'pass') throw new Error(`stackset-instances did not pass: ${st.detail}`);
        statuses = results.map((r) => `${r.id} ${r.status}`).join(', ');
        return ms;
      });
      CONCURRENCY.forEach((concurrency, k) => {
        const s = summary(times[k]!);
        rows.push(`| ${latency} ms | ${concurrency} | ${Math.round(s.median)} (${Math.round(s.min)}–${Math.round(s.max)}) | ${calls.get(concurrency)} |`);
      });
      await proxy?.close();
    }
    const section = [
      SECTION,
      '',
      `\`npx tsx bench/doctor.bench.ts --accounts ${accounts} --regions ${regions.length} --runs ${runs} --latency ${latencies.join(',')}\`, ${m.date}; ${m.nproc} CPUs (${m.cpu}), Node ${m.node}, moto_server (pip moto ${pythonFacts().moto}).`,
      '',
      `Organization in moto: ${accounts} member accounts in two OUs (Workloads and its child Prod) plus the security and management accounts; the member StackSet with ${accounts * regions.length} instances (${accounts} accounts × ${regions.length} regions: ${regions.join(', ')}); one extra SCP on Workloads. Setup took ${setupS.toFixed(1)} s.`,
      'Doctor runs every check in-process with the management account\'s credentials (the security-account checks then warn after one sts:GetCallerIdentity; they do not grow with the organization). Wall time: median (min–max) of the runs, in ms, the two concurrencies taking turns; calls: AWS requests sent (client.send, paginator pages included).',
      '',
      '| added latency per request | concurrency | wall ms | AWS calls |',
      '| ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      `Check statuses in every run: ${statuses}.`,
    ].join('\n');
    publish(SECTION, section, target, { keepNotesAfter: /^Check statuses in every run:.*$/ });
  } finally {
    await moto.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => { process.stderr.write(`${(e as Error).stack ?? e}\n`); process.exitCode = 1; });
