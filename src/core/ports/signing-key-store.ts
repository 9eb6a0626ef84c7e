/** The asymmetric algorithms a stored key signs with. HS256 secrets are settings, never stored. */
export type AsymmetricAlgorithm = 'ES256' | 'EdDSA' | 'RS256';

/** One signing key, as every instance sees it in the shared database. */
export interface SigningKeyRecord {
  /** The key's RFC 7638 thumbprint: the `kid` of every token it signs. */
  kid: string;
  alg: AsymmetricAlgorithm;
  /** The private key as a JWK, sealed by the secret box for the context `signing-key:<kid>`. */
  sealedPrivateJwk: string;
  /** The public key as a JWK (JSON text), as the JWKS document shows it. */
  publicJwk: string;
  /** ms since the epoch. The newest key of an algorithm signs. */
  createdAt: number;
  /** Tokens it signed are accepted until then (ms); moved forward by every instance while it signs. */
  verifyUntil: number;
  /** When an operator retired it (ms): it verifies nothing from then on. */
  retiredAt: number | null;
}

/** Signing keys shared by every instance. A handful of rows, read whole every few seconds. */
export interface SigningKeyStore {
  /** Every key, oldest first. */
  list(): Promise<SigningKeyRecord[]>;
  /** Adds a key; a kid already stored is left as it is. */
  add(key: SigningKeyRecord): Promise<void>;
  /**
   * Adds the first key of its algorithm: nothing when a key of that algorithm
   * that is not retired is stored already. Atomic across instances (a cluster
   * started all at once makes one key, not one per instance); true when added.
   */
  addFirst(key: SigningKeyRecord): Promise<boolean>;
  /** Moves `verifyUntil` forward to `until` (never back). */
  extend(kid: string, until: number): Promise<void>;
  /** Marks a key retired at `at`; false when the kid is unknown or already retired. */
  retire(kid: string, at: number): Promise<boolean>;
}
