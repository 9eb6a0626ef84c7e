/** `2023-12-31T12:00:00` — UTC, whole seconds, no zone (surfaces users and auth). */
export function naiveUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** `2024-01-01T12:00:00Z` — UTC, whole seconds (the v1 surfaces). */
export function zuluUtc(ms: number): string {
  return `${naiveUtc(ms)}Z`;
}

export function zuluOrNull(ms: number | null): string | null {
  return ms == null ? null : zuluUtc(ms);
}
