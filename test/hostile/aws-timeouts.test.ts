/**
 * Endpoints that never answer, answer headers and then stall, trickle a body forever or flood one (issue 15, item 5).
 * A local TCP server plays each; AWS_ENDPOINT_URL points the SDK at it. Asserted on counters and deadlines, not on
 * wall time: every call fails with a timeout after exactly the bounded number of attempts (the server counts them),
 * and the packaged doctor and links finish within their --deadline with exit 3, naming what did not finish. The
 * attempt timeout is lowered to 1 s through BREAKGLASS_TEST_LIMITS (tests only) so the suite stays fast.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { stsClient, withAwsAbortSignal } from '../../lib/aws/clients';
import { BIN, CONFIG, hostile } from './harness';

type Mode = 'silent' | 'headers-then-stall' | 'trickle' | 'flood' | 'hostile-error';

/** What a hostile endpoint puts in its error messages: terminal escape sequences, a forged line, a bidi override. */
const EVIL = '\u001b]0;owned\u0007\u001b[2J\r\nPASS    credentials  forged\u202e';

interface Endpoint { url: string; requests: () => number; reset: () => void; close: () => Promise<void> }

/** A server that reads each request and answers it the way `mode` says. Counts the requests it received. */
async function endpoint(mode: Mode): Promise<Endpoint> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let seen = '';
    sock.on('data', (d) => {
      seen += d.toString('latin1');
      if (!/\r\n\r\n/.test(seen)) return; // wait for the request head
      seen = '';
      requests++;
      if (mode === 'silent') return; // accepted, never answered
      if (mode === 'hostile-error') {
        // An AccessDenied whose message carries control characters, in the protocol the caller speaks.
        const json = /x-amz-target:/i.test(d.toString('latin1'));
        const body = json
          ? JSON.stringify({ __type: 'AccessDeniedException', message: `denied ${EVIL}` })
          : `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied ${EVIL}</Message></Error><RequestId>1</RequestId></ErrorResponse>`;
        sock.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: ${json ? 'application/x-amz-json-1.1' : 'text/xml'}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
        return;
      }
      const head = (te: string) => `HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nx-amzn-RequestId: 1\r\n${te}\r\n`;
      if (mode === 'headers-then-stall') { sock.write(`${head('Content-Length: 5000\r\n')}<GetCallerIdentityResponse>`); return; }
      sock.write(head('Transfer-Encoding: chunked\r\n'));
      const chunk = mode === 'trickle' ? '1\r\n \r\n' : `${(64 * 1024).toString(16)}\r\n${' '.repeat(64 * 1024)}\r\n`;
      const timer = setInterval(() => { if (!sock.destroyed) sock.write(chunk); }, mode === 'trickle' ? 100 : 1);
      sock.on('close', () => clearInterval(timer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    reset: () => { requests = 0; },
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' };
const LIMITS = 'awsAttemptMs=1000,awsConnectMs=1000,awsMaxResponseBytes=1048576';

before(() => {
  assert.match(execFileSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }), /^\d+\.\d+\.\d+/);
  Object.assign(process.env, AWS_ENV, { BREAKGLASS_TEST_LIMITS: LIMITS });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_MAX_ATTEMPTS;
  delete process.env.AWS_RETRY_MODE;
});

describe('one AWS call against a hostile endpoint fails after a bounded number of bounded attempts', () => {
  const servers: Endpoint[] = [];
  after(async () => { for (const s of servers) await s.close(); });
  const call = async (e: Endpoint) => {
    process.env.AWS_ENDPOINT_URL = e.url;
    const client = stsClient({});
    try {
      await client.send(new GetCallerIdentityCommand({}));
      return undefined;
    } catch (err) {
      return err as Error & { $metadata?: { attempts?: number } };
    } finally {
      client.destroy();
    }
  };
  for (const mode of ['silent', 'headers-then-stall', 'trickle'] as const) {
    it(`${mode}: TimeoutError after 3 attempts (the server received exactly 3 requests)`, { timeout: 20_000 }, async () => {
      const e = await endpoint(mode);
      servers.push(e);
      const err = await call(e);
      assert.ok(err, 'the call must fail');
      assert.equal(err.name, 'TimeoutError', `${err.name}: ${err.message}`);
      assert.match(err.message, /no complete answer within 1 s \(connection, headers and body\)/);
      assert.equal(e.requests(), 3);
    });
  }
  it('flood (an endless body): refused at the response size limit, not retried', { timeout: 20_000 }, async () => {
    const e = await endpoint('flood');
    servers.push(e);
    const err = await call(e);
    assert.ok(err);
    assert.equal(err.name, 'ResponseTooLarge', `${err.name}: ${err.message}`);
    assert.equal(e.requests(), 1);
  });
  it("the command's abort signal cuts a call in flight; it is not retried", { timeout: 20_000 }, async () => {
    const e = await endpoint('headers-then-stall');
    servers.push(e);
    process.env.AWS_ENDPOINT_URL = e.url;
    const stop = new AbortController();
    const client = stsClient({});
    const pending = withAwsAbortSignal(stop.signal, () => client.send(new GetCallerIdentityCommand({}))).then(() => undefined, (err: Error) => err);
    while (e.requests() === 0) await new Promise((r) => setTimeout(r, 20));
    stop.abort(new Error('deadline'));
    const err = await pending;
    client.destroy();
    assert.equal(err?.name, 'AbortError');
    assert.equal(e.requests(), 1);
    // Later calls in the same scope fail at once, without reaching the server.
    const again = await withAwsAbortSignal(stop.signal, () => stsClient({}).send(new GetCallerIdentityCommand({}))).then(() => undefined, (x: Error) => x);
    assert.equal(again?.name, 'AbortError');
    assert.equal(e.requests(), 1);
  });
});

describe('the packaged doctor and links finish within their --deadline against a stalled endpoint (exit 3)', () => {
  let stall: Endpoint;
  before(async () => { stall = await endpoint('headers-then-stall'); });
  after(async () => stall.close());
  const env = () => ({ ...AWS_ENV, AWS_ENDPOINT_URL: stall.url });

  it('doctor --deadline 3 (default attempt timeout of 30 s): every check reported unfinished, exit 3', async () => {
    const r = await hostile(['doctor', '-c', CONFIG, '--deadline', '3', '--json'], { env: env() });
    assert.equal(r.code, 3, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.ok(doc.checks.length > 5);
    for (const c of doc.checks) assert.match(c.detail, /^did not finish within the deadline of 3 s \(--deadline\): still waiting for AWS/);
    assert.match(r.stderr, /^error: doctor did not finish within the deadline of 3 s \(--deadline\); unfinished: credentials, /);
  });
  it('links --deadline 3: names the call that did not answer, exit 3', async () => {
    const r = await hostile(['links', '-c', CONFIG, '--deadline', '3'], { env: env() });
    assert.equal(r.code, 3);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^error: links did not finish within the deadline of 3 s \(--deadline\): organizations:DescribeOrganization had not answered \(0 accounts read so far\)/);
  });
  it('links with 1 s attempts and a long deadline: fails on its own after 3 attempts, exit 3, one line', async () => {
    stall.reset();
    const r = await hostile(['links', '-c', CONFIG, '--deadline', '60'], { env: { ...env(), BREAKGLASS_TEST_LIMITS: LIMITS } });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^error: cannot list the organization's accounts: AWS did not answer organizations:DescribeOrganization in time \(no complete answer within 1 s/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(stall.requests(), 3);
  });
  it('--deadline must be a number of seconds: exit 2', async () => {
    for (const bad of ['0', '-1', 'soon', '1e9']) {
      const r = await hostile(['doctor', '-c', CONFIG, '--deadline', bad], { env: env() });
      assert.equal(r.code, 2, bad);
      assert.match(r.stderr, /^error: --deadline: expected seconds/);
    }
  });
});

describe('error messages of a hostile endpoint never reach the terminal raw (doctor, links)', () => {
  let evil: Endpoint;
  before(async () => { evil = await endpoint('hostile-error'); });
  after(async () => evil.close());
  it('doctor (table) and links: control characters shown as escapes, no forged line', async () => {
    const env = { ...AWS_ENV, AWS_ENDPOINT_URL: evil.url };
    const doctor = await hostile(['doctor', '-c', CONFIG, '--deadline', '15'], { env });
    const links = await hostile(['links', '-c', CONFIG, '--deadline', '15'], { env });
    assert.equal(doctor.code, 3, doctor.stderr);
    assert.equal(links.code, 3, links.stderr);
    for (const r of [doctor, links]) {
      assert.match(r.stdout + r.stderr, /denied \\u001b\]0;owned\\u0007\\u001b\[2J/, 'the message is shown, escaped');
      assert.doesNotMatch(r.stdout + r.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/, 'a raw control character reached the output');
      assert.ok(!(r.stdout + r.stderr).split('\n').some((l) => l.startsWith('PASS    credentials  forged')), 'a forged line');
    }
  });
});
