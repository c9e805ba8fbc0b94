/**
 * moto_server's IAM lacks two things `breakglass reseal` reads, so this small HTTP proxy sits between the SDK and moto
 * for IAM only (AWS_ENDPOINT_URL_IAM) and fills them in; every other byte is moto's own answer:
 * - GetUser never returns PasswordLastUsed (moto cannot sign anyone in to the console, and has no API to set it): the
 *   proxy adds <PasswordLastUsed> for the users the test names, the field AWS returns after a console sign-in (IAM API
 *   Reference, User).
 * - GetLoginProfile returns the user's CreateDate, not the login profile's, so it does not move when the profile is
 *   deleted and created again: the proxy remembers when each CreateLoginProfile it forwarded succeeded and answers
 *   that as the profile's CreateDate ("The date when the password for the user was created", IAM API Reference,
 *   LoginProfile), until a DeleteLoginProfile.
 * IAM speaks the Query protocol: form-encoded requests (Action, UserName), XML answers.
 */
import { createServer, type Server } from 'node:http';

export interface IamProxy {
  readonly endpoint: string;
  /** What GetUser answers as PasswordLastUsed for this user (undefined: nothing, as moto). */
  setPasswordLastUsed(user: string, at: Date | undefined): void;
  close(): Promise<void>;
}

export async function iamProxy(target: string): Promise<IamProxy> {
  const lastUsed = new Map<string, string>();
  const profileCreated = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const body = Buffer.concat(chunks);
        const form = new URLSearchParams(body.toString('utf8'));
        const action = form.get('Action');
        const user = form.get('UserName') ?? '';
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)).map(([k, v]) => [k, String(v)]));
        const r = await fetch(`${target}${req.url ?? '/'}`, { method: req.method, headers, body: chunks.length ? body : undefined });
        let text = await r.text();
        if (r.ok && action === 'CreateLoginProfile') profileCreated.set(user, new Date().toISOString());
        if (r.ok && action === 'DeleteLoginProfile') profileCreated.delete(user);
        if (r.ok && (action === 'GetLoginProfile' || action === 'CreateLoginProfile') && profileCreated.has(user)) {
          text = text.replace(/<CreateDate>[^<]*<\/CreateDate>/, `<CreateDate>${profileCreated.get(user)}</CreateDate>`);
        }
        if (r.ok && action === 'GetUser' && lastUsed.has(user)) {
          text = text.replace('</CreateDate>', `</CreateDate><PasswordLastUsed>${lastUsed.get(user)}</PasswordLastUsed>`);
        }
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
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setPasswordLastUsed(user, at) { if (at) lastUsed.set(user, at.toISOString()); else lastUsed.delete(user); },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
