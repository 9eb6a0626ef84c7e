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
        // Verified signatures of hot tokens are remembered: the same token
        // arriving again costs a hash-map lookup, not an HMAC.
        cache: 10_000,
      }),
    );
  }

  issue(type: TokenType, sub: string, sid: string, jti: string, ttlSeconds: number): IssuedToken {
    const iat = Math.floor(this.#clock.now() / 1000);
    const claims: TokenClaims = { sub, sid, jti, type, iat, exp: iat + ttlSeconds };
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
    return payload;
  }
}

function isClaims(p: Record<string, unknown>): p is TokenClaims & Record<string, unknown> {
  return (
    typeof p.sub === 'string' &&
    typeof p.sid === 'string' &&
    typeof p.jti === 'string' &&
    (p.type === 'access' || p.type === 'refresh') &&
    typeof p.iat === 'number' &&
    typeof p.exp === 'number'
  );
}
