import { fail } from '../../core/errors.ts';

/**
 * One request to an SMS provider: a refusal, a failure or no answer within
 * `timeoutMs` is an outage of a backend (STORE_UNAVAILABLE: 503 with
 * Retry-After in every surface, the provider's words in the log's cause),
 * never a 500. `accepted` reads the provider's answer: true when it took the message.
 */
export async function callProvider(
  provider: string,
  url: string,
  init: { headers: Record<string, string>; body: string },
  timeoutMs: number,
  accepted: (status: number, body: string) => boolean,
): Promise<void> {
  let status: number;
  let body: string;
  try {
    const response = await fetch(url, { method: 'POST', ...init, signal: AbortSignal.timeout(timeoutMs) });
    status = response.status;
    body = await response.text();
  } catch (error) {
    throw fail('STORE_UNAVAILABLE', `the SMS provider (${provider}) cannot be reached`, undefined, { cause: error });
  }
  if (!accepted(status, body))
    throw fail('STORE_UNAVAILABLE', `the SMS provider (${provider}) refused the message`, undefined, {
      cause: new Error(`${provider} answered ${status}: ${body.slice(0, 300)}`),
    });
}

/** The JSON a provider answered, or null. */
export function parsed(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}
