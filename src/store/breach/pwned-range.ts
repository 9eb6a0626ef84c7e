import type { BreachRange } from '../../core/ports/breach-range.ts';

/**
 * The Pwned Passwords range API (or one answering like it, PASSWORD_BREACH_URL):
 * `GET <url><prefix>` with `Add-Padding: true`, answered by lines of
 * `SUFFIX:COUNT`. A failure, a non-200 or no answer within `timeoutMs` throws.
 */
export class PwnedRange implements BreachRange {
  readonly #url: string;
  readonly #timeoutMs: number;

  constructor(url: string, timeoutMs: number) {
    this.#url = url;
    this.#timeoutMs = timeoutMs;
  }

  async suffixes(prefix: string): Promise<ReadonlyMap<string, number>> {
    const response = await fetch(`${this.#url}${prefix}`, {
      headers: { 'add-padding': 'true', 'user-agent': 'Gatehouse' },
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`the range API answered ${response.status}`);
    const found = new Map<string, number>();
    for (const line of text.split('\n')) {
      const match = /^([0-9A-Fa-f]{35}):(\d+)\s*$/.exec(line);
      if (match) found.set((match[1] as string).toUpperCase(), Number(match[2]));
    }
    return found;
  }
}
