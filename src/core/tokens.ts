import { fail, type GatehouseError } from './errors.ts';
import type { Clock } from './ports/clock.ts';
import type { JwtAlgorithm, SigningKeys } from './signing-keys.ts';

/**
 * `access` and `refresh` as every surface knows them; `enrolment`: the
 * confined session of an account MFA_REQUIRED covers, which only the account
 * page's enrolment accepts (every other check asks for `access` and refuses it).
 */
export type TokenType = 'access' | 'refresh' | 'enrolment';

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
  /** The HS256 secret (JWT_SECRET): signs when the algorithm is HS256; verifies while configured. */
  current?: string | null;
  /** Still accepted for verification (key rotation); never used to sign. */
  previous?: readonly string[];
  /** JWT_ALGORITHM; HS256 when only a secret is given, ES256 otherwise. */
  algorithm?: JwtAlgorithm;
}

/**
 * Signs and verifies Gatehouse's JWTs with the keys of {@link SigningKeys}.
 * Every token names its key in `kid`; the verifier of that key accepts only
 * its own algorithm, so `alg: none`, algorithm confusion and foreign keys are
 * refused before the claims are read. A token without a kid (signed before
 * kids existed) is tried against the HS256 secrets only.
 * Expiry is checked here against the injected clock, not by the JWT library,
 * so tests can move time and refresh can read an expired token.
 */
export class TokenIssuer {
  readonly #clock: Clock;
  readonly #keys: SigningKeys;
  readonly #verified = new VerifiedTokens(VERIFIED_TOKENS_KEPT);

  constructor(keys: SigningKeys, clock: Clock) {
    this.#clock = clock;
    this.#keys = keys;
    // A token remembered as verified must not outlive its key: forgetting all is rare (a key expires or is retired) and cheap.
    keys.onKeyDropped = () => this.#verified.clear();
  }

  issue(type: TokenType, sub: string, sid: string, jti: string, ttlSeconds: number, amr?: readonly string[]): IssuedToken {
    const iat = Math.floor(this.#clock.now() / 1000);
    const claims: TokenClaims = { sub, sid, jti, type, iat, exp: iat + ttlSeconds, ...(amr ? { amr } : {}) };
    // iat and exp come from the injected clock; the signer keeps a given iat.
    return { token: this.#keys.signer().sign({ ...claims }), claims };
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

  /**
   * What {@link verify} said, unless it refused a token naming a key this
   * instance has not loaded yet (made a moment ago on another instance): then
   * the key set is read again and the token verified once more. For the
   * asynchronous paths, after `verify` threw `error`.
   */
  async verifyWithNewKeys(token: string, type: TokenType, allowExpired: boolean, error: unknown): Promise<TokenClaims> {
    const kid = (error as GatehouseError).code === 'TOKEN_INVALID' ? headerKid(token) : undefined;
    if (kid === undefined || this.#keys.verifier(kid) || !(await this.#keys.reloadForUnknownKid(kid))) throw error;
    return this.verify(token, type, allowExpired);
  }

  #decode(token: string): TokenClaims {
    const known = this.#verified.get(token);
    if (known) return known;
    const kid = headerKid(token);
    const verify = kid === undefined ? undefined : this.#keys.verifier(kid);
    let payload: Record<string, unknown> | undefined;
    for (const verifier of verify ? [verify] : kid === undefined ? this.#keys.legacyVerifiers : []) {
      try {
        payload = verifier(token);
        break;
      } catch {
        // try the next secret; none matching means the token is not ours
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

/** The `kid` of a token's header; undefined when it has none or the header is not JSON (the verifier then refuses it). */
function headerKid(token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header?.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/** How many verified tokens are remembered (~0.5 KB each). */
const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * Tokens whose signature has been verified, by their exact text. A token seen
 * again costs one string-keyed map lookup (~0.4 µs) before its header is even
 * read. fast-jwt's own cache, even with an identity cacheKeyBuilder, decodes
 * the token before looking: 12-18× the cost of a hit (bench/token-cache.ts,
 * docs/performance.md). Only good signatures are kept, expiry and type are
 * still checked on every use, and everything is forgotten when a key stops
 * verifying, so a hit is exactly what verifying again would say. The oldest
 * entry makes room for a new one.
 */
class VerifiedTokens {
  readonly #max: number;
  readonly #claims = new Map<string, TokenClaims>();

  constructor(max: number) {
    this.#max = max;
  }

  clear(): void {
    this.#claims.clear();
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
    (p.type === 'access' || p.type === 'refresh' || p.type === 'enrolment') &&
    typeof p.iat === 'number' &&
    typeof p.exp === 'number' &&
    (p.amr === undefined || (Array.isArray(p.amr) && p.amr.every((m) => typeof m === 'string')))
  );
}
