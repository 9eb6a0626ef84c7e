/**
 * A k-anonymity range API of breached passwords (Pwned Passwords): given the
 * first 5 hex characters of a password's SHA-1, the suffixes (the other 35,
 * upper case) of every breached hash with that prefix, and how often each was
 * seen. Only the prefix leaves Gatehouse. Throws when the API cannot be
 * reached or answers nonsense.
 */
export interface BreachRange {
  suffixes(prefix: string): Promise<ReadonlyMap<string, number>>;
}
