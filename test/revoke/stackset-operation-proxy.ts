/**
 * moto runs UpdateStackSet (UsePreviousTemplate, UsePreviousValue and the new parameter value are kept, and
 * DescribeStackSet shows them), but the operation it records is SUCCEEDED at once and, when the update names no
 * accounts and regions (how `breakglass revoke` updates every instance), it lists no results at all:
 * ListStackSetOperationResults is empty, and there is never a RUNNING operation or a FAILED instance.
 *
 * This HTTP proxy sits between the SDK and moto for CloudFormation only (AWS_ENDPOINT_URL_CLOUDFORMATION) and changes
 * exactly two answers, from a script the test writes:
 * - DescribeStackSetOperation: moto answers first (so an unknown operation is still moto's error); the proxy
 *   replaces the operation's Status with the script's status for that poll (QUEUED, RUNNING, then final);
 * - ListStackSetOperationResults: built from moto's own ListStackInstances of the StackSet (the real instances),
 *   with the script's Status/StatusReason per instance for that poll.
 * Every other request and answer is moto's, byte for byte; the UpdateStackSet requests are recorded for assertions.
 */
import { createServer, type Server } from 'node:http';

export interface ScriptedResult { readonly status: string; readonly reason?: string }

/** What the n-th poll (0-based) of an operation shows: its status, and each instance's result (absent: not listed yet). */
export type OperationScript = (poll: number, instance: { account: string; region: string }) => ScriptedResult | undefined;
export type StatusScript = (poll: number) => string;

export interface OperationProxy {
  readonly endpoint: string;
  /** Form parameters of every UpdateStackSet request, in order. */
  readonly updates: URLSearchParams[];
  /** Every CloudFormation Action the proxy saw, in order. */
  readonly actions: string[];
  script(status: StatusScript, results: OperationScript): void;
  close(): Promise<void>;
}

const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function stackSetOperationProxy(target: string): Promise<OperationProxy> {
  let status: StatusScript = () => 'SUCCEEDED';
  let results: OperationScript = () => ({ status: 'SUCCEEDED' });
  const statusPolls = new Map<string, number>();
  const resultPolls = new Map<string, number>();
  const updates: URLSearchParams[] = [];
  const actions: string[] = [];

  const forward = async (url: string, method: string, headers: Record<string, string>, body: Buffer | string | undefined) => {
    const r = await fetch(`${target}${url}`, { method, headers, body });
    return { status: r.status, type: r.headers.get('content-type') ?? 'text/xml', text: await r.text() };
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)).map(([k, v]) => [k, String(v)]));
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        const form = new URLSearchParams(body?.toString('utf8') ?? '');
        const action = form.get('Action') ?? '';
        actions.push(action);
        if (action === 'UpdateStackSet') updates.push(form);
        const answer = await forward(req.url ?? '/', req.method ?? 'POST', headers, body);
        let text = answer.text;
        if (answer.status === 200 && action === 'DescribeStackSetOperation') {
          const key = form.get('OperationId') ?? '';
          const n = statusPolls.get(key) ?? 0;
          statusPolls.set(key, n + 1);
          text = text.replace(/<Status>[A-Z_]+<\/Status>/, `<Status>${status(n)}</Status>`);
        } else if (answer.status === 200 && action === 'ListStackSetOperationResults') {
          const key = form.get('OperationId') ?? '';
          const n = resultPolls.get(key) ?? 0;
          resultPolls.set(key, n + 1);
          const list = new URLSearchParams({ Action: 'ListStackInstances', Version: form.get('Version') ?? '2010-05-15', StackSetName: form.get('StackSetName') ?? '' });
          const instances = await forward('/', 'POST', { ...headers, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, list.toString());
          const members = [...instances.text.matchAll(/<member>([\s\S]*?)<\/member>/g)].map((m) => m[1]!)
            .map((m) => ({ account: /<Account>(\d+)<\/Account>/.exec(m)?.[1], region: /<Region>([\w-]+)<\/Region>/.exec(m)?.[1] }))
            .filter((i): i is { account: string; region: string } => !!i.account && !!i.region);
          const rows = members.map((i) => ({ i, r: results(n, i) })).filter((x) => x.r !== undefined).map(({ i, r }) =>
            `<member><Account>${i.account}</Account><Region>${i.region}</Region><Status>${r!.status}</Status>${r!.reason ? `<StatusReason>${xmlText(r!.reason)}</StatusReason>` : ''}</member>`);
          text = '<ListStackSetOperationResultsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">'
            + `<ListStackSetOperationResultsResult><Summaries>${rows.join('')}</Summaries></ListStackSetOperationResultsResult>`
            + '<ResponseMetadata><RequestId>proxy-results</RequestId></ResponseMetadata></ListStackSetOperationResultsResponse>';
        }
        res.writeHead(answer.status, { 'content-type': answer.type });
        res.end(text);
      } catch (e) {
        res.writeHead(502);
        res.end(String(e));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    updates,
    actions,
    script(s, r) { status = s; results = r; statusPolls.clear(); resultPolls.clear(); },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
