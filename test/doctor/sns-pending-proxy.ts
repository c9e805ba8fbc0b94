/**
 * moto confirms every SNS subscription at once (email included), so "PendingConfirmation" never appears there.
 * This tiny HTTP proxy sits between the SDK and moto for SNS only (AWS_ENDPOINT_URL_SNS) and rewrites the
 * ARNs of chosen subscriptions in responses to "PendingConfirmation", which is what AWS lists for an unconfirmed
 * subscription (SNS API Reference, ListSubscriptionsByTopic / Subscription.SubscriptionArn). Every other byte is
 * moto's own answer: the hand-written part is this substitution only.
 */
import { createServer, type Server } from 'node:http';

export interface PendingProxy { readonly endpoint: string; close(): Promise<void> }

export async function snsPendingProxy(target: string, pendingArns: readonly string[]): Promise<PendingProxy> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)).map(([k, v]) => [k, String(v)]));
        const r = await fetch(`${target}${req.url ?? '/'}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
        let text = await r.text();
        for (const arn of pendingArns) text = text.split(arn).join('PendingConfirmation');
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/xml' });
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
  return { endpoint: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
