/**
 * Formats a timestamp once: a user's `created_at` and `updated_at` are sent
 * with every profile answer, and `toISOString` showed in the `/me` profiles.
 * The map is emptied when full, so it stays small whatever the traffic.
 */
function rememberedFormat(format: (ms: number) => string): (ms: number) => string {
  const known = new Map<number, string>();
  return (ms) => {
    let text = known.get(ms);
    if (text === undefined) {
      if (known.size >= 4096) known.clear();
      text = format(ms);
      known.set(ms, text);
    }
    return text;
  };
}

/** `2023-12-31T12:00:00` — UTC, whole seconds, no zone (surfaces users and auth). */
export const naiveUtc = rememberedFormat((ms) => new Date(ms).toISOString().slice(0, 19));

/** `2024-01-01T12:00:00Z` — UTC, whole seconds (the v1 surfaces). */
export const zuluUtc = rememberedFormat((ms) => `${new Date(ms).toISOString().slice(0, 19)}Z`);

export function zuluOrNull(ms: number | null): string | null {
  return ms == null ? null : zuluUtc(ms);
}
