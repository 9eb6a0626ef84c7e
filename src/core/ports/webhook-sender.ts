/** One POST of a delivery attempt. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The whole exchange, answer included, within this (10 s). */
  timeoutMs: number;
  /** Aborts the attempt (the server is stopping). */
  signal?: AbortSignal;
}

/**
 * Sends webhook requests (an HTTP client that refuses private addresses unless
 * allowed, and follows no redirect). Implementation: store/webhooks/http-sender.ts.
 */
export interface WebhookSender {
  /** Why a URL can never be delivered to (not http(s), a private address written in it), or null. */
  refusal(url: string): string | null;
  /** The status of the answer; throws an Error saying why there was none (refused, timed out, unreachable). */
  post(request: WebhookRequest): Promise<{ status: number }>;
  /** Closes idle connections (the server is stopping). */
  close?(): void;
}
