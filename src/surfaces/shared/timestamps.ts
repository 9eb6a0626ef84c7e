// Formatted on every answer, not remembered: two toISOString calls cost well under a microsecond
// (measured), where a memo sized to a benchmark's token count bought nothing a real load would see.

/** `2023-12-31T12:00:00` — UTC, whole seconds, no zone (surfaces users and auth). */
export const naiveUtc = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

/** `2024-01-01T12:00:00Z` — UTC, whole seconds (the v1 surfaces). */
export const zuluUtc = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

export function zuluOrNull(ms: number | null): string | null {
  return ms == null ? null : zuluUtc(ms);
}
