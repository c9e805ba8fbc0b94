/**
 * Turns an AWS SDK v3 error into one line a person can act on. No SDK import: errors are recognised by name/code,
 * which is how SDK v3 exposes service exceptions (`error.name`) and Node network errors (`error.code`).
 */

export interface AwsCallContext {
  /** The IAM action of the failed call, e.g. "organizations:ListAccounts". */
  readonly action: string;
  /** The profile in use (--profile), named in credential problems. */
  readonly profile?: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** One line, no trailing period, never a stack trace. */
export function describeAwsError(e: unknown, ctx: AwsCallContext): string {
  const err = (e ?? {}) as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; cause?: { code?: string } };
  const name = err.name ?? 'Error';
  const message = oneLine(err.message ?? String(e));
  const code = err.code ?? err.cause?.code;

  if (name === 'CredentialsProviderError' || /could not (load|resolve) credentials/i.test(message)) {
    return ctx.profile
      ? `no usable AWS credentials for profile "${ctx.profile}" (${message}); sign in for that profile (e.g. aws sso login --profile ${ctx.profile})`
      : `no AWS credentials found (${message}); set AWS_PROFILE or pass --profile, or export credentials`;
  }
  const status = err.$metadata?.httpStatusCode;
  if (/^(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnrecognizedClientException|InvalidClientTokenId|ExpiredToken|ExpiredTokenException)$/.test(name)) {
    return `${ctx.action} was refused (${name}: ${message}); the credentials need ${ctx.action}`;
  }
  if (status === 401 || status === 403) {
    // A refusal whose body the SDK could not read (a proxy's page, or an emulator answering in another protocol).
    const unreadable = name === 'SyntaxError' || /deserialization error/i.test(message);
    return `${ctx.action} was refused (HTTP ${status}${unreadable ? ', unreadable error body' : `, ${name}: ${message}`}); the credentials need ${ctx.action}`;
  }
  if (code && NETWORK_CODES.has(code)) {
    return `cannot reach AWS for ${ctx.action} (${code}${endpointHint()}); check the network, proxy or AWS_ENDPOINT_URL`;
  }
  if (name === 'TimeoutError' || /timed? ?out/i.test(message)) {
    return `AWS did not answer ${ctx.action} in time (${message}${endpointHint()})`;
  }
  return `${ctx.action} failed (${name}${status ? `, HTTP ${status}` : ''}: ${message})`;
}

function endpointHint(): string {
  const url = process.env.AWS_ENDPOINT_URL;
  return url ? ` at ${url}` : '';
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim().replace(/\.$/, '');
}
