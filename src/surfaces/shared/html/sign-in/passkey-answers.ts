import type { FastifyReply } from 'fastify';
import type { CommonTexts } from '../../../../texts/common.ts';
import type { SignInStep } from './flow.ts';
import type { PageRefusal } from './refusals.ts';

/**
 * A passkey step that did not sign the person in, as its JSON endpoint answers
 * it: the status and sentence of PAGE_REFUSALS, except that any passkey that
 * does not verify reads alike, whatever the core's reason.
 */
export function passkeyRefusal(step: Exclude<SignInStep, { kind: 'signed-in' }>): PageRefusal {
  if (step.kind !== 'refused') return [400, 'passkeyFailed'];
  const [status, refusal] = step.refusal;
  return [status, refusal === 'wrongCode' || refusal === 'wrongCredentials' ? 'passkeyFailed' : refusal];
}

/** Sends a refusal to the passkey script (account-passkeys.js shows `error` beside its button); never cached. */
export function sendPasskeyRefusal(reply: FastifyReply, [status, refusal]: PageRefusal, t: CommonTexts, retryAfterSeconds?: number) {
  if (retryAfterSeconds) reply.header('retry-after', String(retryAfterSeconds));
  return reply.code(status).header('cache-control', 'no-store').send({ error: t.refusals[refusal] });
}
