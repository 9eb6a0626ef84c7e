import { createSigner, createVerifier } from 'fast-jwt';
import { fail } from './errors.ts';
import type { Clock } from './ports/clock.ts';

export type TokenType = 'access' | 'refresh';

/** The claims Gatehouse puts in every token it signs. */
export interface TokenClaims {
  /** The user's uuid. */
  sub: string;
  /** The session id. */
  sid: string;
  jti: string;
  type: TokenType;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
  /** How the user got in (RFC 8176: `pwd`, `otp`, `hwk`, `swk`, `mfa`); absent on tokens from before second factors. */
  amr?: readonly string[];
}

export interface IssuedToken {
  token: string;
  claims: TokenClaims;
}

export interface TokenKeys {
  /** Signs new tokens and verifies. */
  current: string;
  /** Still accepted for verification (key rotation); never used to sign. */
  previous?: string[];
}

/**
 * Signs and verifies HS256 JWTs. Only HS256 is accepted: `alg: none` and any
 * other algorithm are refused by the verifier before the claims are read.
 * Expiry is checked here against the injected clock, not by the JWT library,
 * so tests can move time and refresh can read an expired token.
 */
export class TokenIssuer {
  readonly #clock: Clock;
  readonly #verified = new VerifiedTokens(VERIFIED_TOKENS_KEPT);
  readonly #sign: (payload: Record<string, unknown>) => string;
  readonly #verifiers: Array<(token: string) => Record<string, unknown>>;

  constructor(keys: TokenKeys, clock: Clock) {
    this.#clock = clock;
    this.#sign = createSigner({ key: keys.current, algorithm: 'HS256' });
    this.#verifiers = [keys.current, ...(keys.previous ?? [])].map((key) =>
      createVerifier({
        key,
        algorithms: ['HS256'],
        ignoreExpiration: true,
        ignoreNotBefore: true,
      }),
    );
  }

  issue(type: TokenType, sub: string, sid: string, jti: string, ttlSeconds: number, amr?: readonly string[]): IssuedToken {
    const iat = Math.floor(this.#clock.now() / 1000);
    const claims: TokenClaims = { sub, sid, jti, type, iat, exp: iat + ttlSeconds, ...(amr ? { amr } : {}) };
    // iat and exp come from the injected clock; the signer keeps a given iat.
    return { token: this.#sign({ ...claims }), claims };
  }

  /**
   * Returns the claims of a token Gatehouse signed. Throws TOKEN_INVALID for
   * anything else, TOKEN_WRONG_TYPE when `type` differs, and TOKEN_EXPIRED when
   * it is past `exp` (unless `allowExpired`).
   */
  verify(token: string, type: TokenType, allowExpired = false): TokenClaims {
    const claims = this.#decode(token);
    if (claims.type !== type) throw fail('TOKEN_WRONG_TYPE');
    if (!allowExpired && claims.exp * 1000 <= this.#clock.now()) throw fail('TOKEN_EXPIRED');
    return claims;
  }

  #decode(token: string): TokenClaims {
    const known = this.#verified.get(token);
    if (known) return known;
    let payload: Record<string, unknown> | undefined;
    for (const verifier of this.#verifiers) {
      try {
        payload = verifier(token);
        break;
      } catch {
        // try the next key; none matching means the token is not ours
      }
    }
    if (!payload || !isClaims(payload)) throw fail('TOKEN_INVALID');
    const claims: TokenClaims = Object.freeze({
      sub: payload.sub,
      sid: payload.sid,
      jti: payload.jti,
      type: payload.type,
      iat: payload.iat,
      exp: payload.exp,
      ...(payload.amr ? { amr: Object.freeze([...payload.amr]) } : {}),
    });
    this.#verified.add(token, claims);
    return claims;
  }
}

/** How many verified tokens are remembered (~0.5 KB each). */
const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * Tokens whose signature has been verified, by their exact text. A token seen
 * again costs one string-keyed map lookup instead of an HMAC (fast-jwt's own
 * cache keys by a SHA-256 of the token, which cost more than the lookup saves
 * here). Only good signatures are kept, and expiry and type are still checked
 * on every use, so a hit is exactly what verifying again would say. The oldest
 * entry makes room for a new one.
 */
class VerifiedTokens {
  readonly #max: number;
  readonly #claims = new Map<string, TokenClaims>();

  constructor(max: number) {
    this.#max = max;
  }

  get(token: string): TokenClaims | undefined {
    return this.#claims.get(token);
  }

  add(token: string, claims: TokenClaims): void {
    if (this.#claims.size >= this.#max) this.#claims.delete(this.#claims.keys().next().value as string);
    this.#claims.set(token, claims);
  }
}

function isClaims(p: Record<string, unknown>): p is TokenClaims & Record<string, unknown> {
  return (
    typeof p.sub === 'string' &&
    typeof p.sid === 'string' &&
    typeof p.jti === 'string' &&
    (p.type === 'access' || p.type === 'refresh') &&
    typeof p.iat === 'number' &&
    typeof p.exp === 'number' &&
    (p.amr === undefined || (Array.isArray(p.amr) && p.amr.every((m) => typeof m === 'string')))
  );
}
