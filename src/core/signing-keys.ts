import { createHmac } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Clock } from './ports/clock.ts';
import type { AsymmetricAlgorithm, SigningKeyRecord, SigningKeyStore } from './ports/signing-key-store.ts';
import type { SecretBox } from './secret-box.ts';

import type { JwtAlgorithm } from './jwt-algorithms.ts';

export type { JwtAlgorithm } from './jwt-algorithms.ts';

type Payload = Record<string, unknown>;
type Verify = (token: string) => Payload;

export interface SigningKeysOptions {
  store: SigningKeyStore;
  box: SecretBox;
  clock: Clock;
  /** JWT_ALGORITHM: what Gatehouse's own tokens are signed with. */
  algorithm: JwtAlgorithm;
  /** HS256 secrets (JWT_SECRET, JWT_PREVIOUS_SECRETS): `current` signs when the algorithm is HS256; all verify while configured. */
  secrets: { current: string | null; previous: readonly string[] };
  /** The longest lifetime of a token this instance signs (s): a key verifies that long after it last signed. */
  longestTokenSeconds: number;
  /** How often the shared key set is read again (ms). */
  pollMs?: number;
  /** Where a failed background poll is reported. */
  onError?: (error: unknown) => void;
}

/** What `gatehouse keys list` shows of a key. */
export interface KeyStatus {
  kid: string;
  alg: JwtAlgorithm;
  /** signing: signs new tokens; verifying: signs no more, still accepted; expired: accepted no more; retired: by an operator. */
  state: 'signing' | 'verifying' | 'expired' | 'retired';
  createdAt: number | null;
  /** Until when tokens it signed are accepted (ms); null for HS256 secrets (while configured). */
  verifyUntil: number | null;
  retiredAt: number | null;
  /** HS256 secrets: the setting they come from. */
  source?: 'JWT_SECRET' | 'JWT_PREVIOUS_SECRETS';
}

export type RetireResult = 'retired' | 'unknown' | 'signing';

/** Every instance reads the key set this often: a rotation is picked up within two polls (10 s). */
export const KEY_POLL_MS = 5000;
/** While a key signs, its `verifyUntil` is kept at least this far beyond the longest token lifetime… */
const EXTEND_WHEN_MS = 10 * 60_000;
/** …by moving it this far beyond: one write per instance every ten minutes. */
const EXTEND_TO_MS = 20 * 60_000;
/** A token naming an unknown kid reloads the key set at most this often (a key made a moment ago on another instance). */
const RELOAD_FOR_UNKNOWN_KID_MS = 1000;

interface LoadedKey {
  record: SigningKeyRecord;
  privateJwk: JWK;
  publicJwk: JWK;
  sign: (payload: Payload) => string;
  verify: Verify;
}

interface Signer {
  kid: string;
  sign: (payload: Payload) => string;
}

/** The kid of an HS256 secret: derived from it (an HMAC, so the kid tells nothing about the secret). */
function hmacKid(secret: string): string {
  return `hs256-${createHmac('sha256', secret).update('gatehouse key id').digest('base64url').slice(0, 16)}`;
}

const hmacVerifier = (secret: string): Verify => createVerifier({ key: secret, algorithms: ['HS256'], ignoreExpiration: true, ignoreNotBefore: true });

/**
 * The keys Gatehouse signs and verifies tokens with. Asymmetric keys (ES256,
 * EdDSA, RS256) live in the shared database, their private part sealed with the
 * secret box; HS256 secrets come from the settings. Every instance reads the
 * key set every {@link KEY_POLL_MS} and keeps a snapshot the hot path reads
 * without waiting: the signer of JWT_ALGORITHM and a verifier per kid.
 *
 * Lifecycle: the newest key of an algorithm signs. While it signs, every
 * instance keeps its `verifyUntil` beyond the longest token it may sign; once a
 * newer key takes over, nothing moves it any more, so the key stops verifying
 * (and leaves the JWKS) when the last token it can have signed has expired.
 */
export class SigningKeys {
  readonly algorithm: JwtAlgorithm;
  readonly #store: SigningKeyStore;
  readonly #box: SecretBox;
  readonly #clock: Clock;
  readonly #longestMs: number;
  readonly #pollMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #secrets: Array<{ kid: string; secret: string; source: 'JWT_SECRET' | 'JWT_PREVIOUS_SECRETS'; verify: Verify }>;
  /** Algorithms this instance signs with: JWT_ALGORITHM's, and those the OpenID provider asked for. */
  readonly #inUse = new Set<AsymmetricAlgorithm>();
  readonly #loaded = new Map<string, LoadedKey>();
  #records: SigningKeyRecord[] = [];
  #signer: Signer | undefined;
  #verifiers = new Map<string, Verify>();
  /** Verifiers for tokens without a kid: those signed with an HS256 secret before kids existed. */
  readonly legacyVerifiers: readonly Verify[];
  #publicJwks: { keys: JWK[] } = { keys: [] };
  #privateJwks: JWK[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #refreshing: Promise<void> | undefined;
  #lastUnknownKidReload = Number.NEGATIVE_INFINITY;
  /** Called when a key stops verifying (expired or retired): whatever remembers verified tokens must forget them. */
  onKeyDropped: () => void = () => {};
  readonly #listeners = new Set<() => void>();
  /** The accepted kids in JWKS order, to tell when the set changed. */
  #shape = '';

  constructor(options: SigningKeysOptions) {
    this.algorithm = options.algorithm;
    this.#store = options.store;
    this.#box = options.box;
    this.#clock = options.clock;
    this.#longestMs = options.longestTokenSeconds * 1000;
    this.#pollMs = options.pollMs ?? KEY_POLL_MS;
    this.#onError = options.onError ?? (() => {});
    const { current, previous } = options.secrets;
    if (options.algorithm === 'HS256' && !current) throw new Error('HS256 needs a signing secret');
    this.#secrets = [
      ...(current ? [{ secret: current, source: 'JWT_SECRET' as const }] : []),
      ...previous.map((secret) => ({ secret, source: 'JWT_PREVIOUS_SECRETS' as const })),
    ].map((s) => ({ ...s, kid: hmacKid(s.secret), verify: hmacVerifier(s.secret) }));
    this.legacyVerifiers = this.#secrets.map((s) => s.verify);
    if (options.algorithm !== 'HS256') this.#inUse.add(options.algorithm);
    // HS256 needs nothing from the database: tokens can be signed before start().
    if (options.algorithm === 'HS256' && current) {
      const kid = hmacKid(current);
      this.#signer = { kid, sign: createSigner({ key: current, algorithm: 'HS256', kid }) };
    }
    this.#snapshot();
  }

  /** Loads the key set (making the first key of JWT_ALGORITHM if there is none) and starts polling. */
  async start(): Promise<void> {
    await this.refresh();
    this.#timer ??= setInterval(() => {
      this.refresh().catch(this.#onError);
    }, this.#pollMs);
    // The poll alone never keeps a process alive (CLI commands end when their work does).
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The signer of Gatehouse's tokens. */
  signer(): Signer {
    if (!this.#signer) throw new Error(`no ${this.algorithm} signing key is loaded yet (SigningKeys.start() was not awaited)`);
    return this.#signer;
  }

  /** The verifier of the key a token names, if that key is accepted. */
  verifier(kid: string): Verify | undefined {
    return this.#verifiers.get(kid);
  }

  /**
   * Reads the key set again when a token names a kid this instance does not
   * know (a key another instance made a moment ago), at most once a second so
   * made-up kids cannot turn into database load. True when the kid is now known.
   */
  async reloadForUnknownKid(kid: string): Promise<boolean> {
    if (this.#verifiers.has(kid)) return true;
    const now = performance.now();
    if (now - this.#lastUnknownKidReload < RELOAD_FOR_UNKNOWN_KID_MS) {
      if (this.#refreshing) await this.#refreshing;
      return this.#verifiers.has(kid);
    }
    this.#lastUnknownKidReload = now;
    await this.refresh();
    return this.#verifiers.has(kid);
  }

  /**
   * Reads the shared key set: makes a key for an algorithm in use that has
   * none, keeps the signing keys' `verifyUntil` ahead, and imports keys made
   * elsewhere. Concurrent calls share one read.
   */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    let records = await this.#store.list();
    const now = this.#clock.now();
    let changed = false;
    for (const alg of this.#inUse) {
      const current = newestOf(records, alg);
      if (!current) {
        // Another instance starting at the same moment may make it first: then its key signs here too.
        await this.#create(alg, now, { first: true });
        changed = true;
      } else if (current.verifyUntil < now + this.#longestMs + EXTEND_WHEN_MS) {
        await this.#store.extend(current.kid, now + this.#longestMs + EXTEND_TO_MS);
        changed = true;
      }
    }
    if (changed) records = await this.#store.list();
    for (const record of records) {
      const known = this.#loaded.get(record.kid);
      if (known) known.record = record;
      else if (record.retiredAt === null && record.verifyUntil > now) this.#loaded.set(record.kid, await this.#load(record));
    }
    this.#records = records;
    this.#snapshot();
  }

  async #create(alg: AsymmetricAlgorithm, now: number, options: { first?: boolean } = {}): Promise<SigningKeyRecord> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = await exportJWK(privateKey);
    const record: SigningKeyRecord = {
      kid,
      alg,
      sealedPrivateJwk: this.#box.seal(JSON.stringify(privateJwk), `signing-key:${kid}`),
      publicJwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
      createdAt: now,
      verifyUntil: now + this.#longestMs + EXTEND_TO_MS,
      retiredAt: null,
    };
    if (options.first) await this.#store.addFirst(record);
    else await this.#store.add(record);
    return record;
  }

  async #load(record: SigningKeyRecord): Promise<LoadedKey> {
    const privateJwk = {
      ...(JSON.parse(this.#box.open(record.sealedPrivateJwk, `signing-key:${record.kid}`)) as JWK),
      kid: record.kid,
      alg: record.alg,
      use: 'sig',
    };
    const publicJwk = JSON.parse(record.publicJwk) as JWK;
    const privatePem = await exportPKCS8((await importJWK(privateJwk, record.alg, { extractable: true })) as CryptoKey);
    const publicPem = await exportSPKI((await importJWK(publicJwk, record.alg, { extractable: true })) as CryptoKey);
    return {
      record,
      privateJwk,
      publicJwk,
      sign: createSigner({ key: privatePem, algorithm: record.alg, kid: record.kid }),
      verify: createVerifier({ key: publicPem, algorithms: [record.alg], ignoreExpiration: true, ignoreNotBefore: true }),
    };
  }

  /** Rebuilds what the hot path and the JWKS read, from the records last read. */
  #snapshot(): void {
    const now = this.#clock.now();
    // The keys that sign here always verify; any other only until its verifyUntil (kept ahead by the instances it signs on).
    const signers = new Set<string>();
    for (const alg of this.#inUse) {
      const newest = newestOf(this.#records, alg);
      if (newest && this.#loaded.has(newest.kid)) signers.add(newest.kid);
    }
    // Current signers first, newest first: a consumer taking the first key of an algorithm takes the one that signs.
    const accepted = [...this.#loaded.values()]
      .filter((k) => k.record.retiredAt === null && (k.record.verifyUntil > now || signers.has(k.record.kid)))
      .sort((a, b) => Number(signers.has(b.record.kid)) - Number(signers.has(a.record.kid)) || b.record.createdAt - a.record.createdAt);
    const verifiers = new Map<string, Verify>(this.#secrets.map((s) => [s.kid, s.verify]));
    for (const key of accepted) verifiers.set(key.record.kid, key.verify);
    const dropped = [...this.#verifiers.keys()].some((kid) => !verifiers.has(kid));
    this.#verifiers = verifiers;
    if (dropped) this.onKeyDropped();
    this.#publicJwks = { keys: accepted.map((k) => k.publicJwk) };
    this.#privateJwks = accepted.map((k) => k.privateJwk);
    const shape = accepted.map((k) => k.record.kid).join(' ');
    const changed = shape !== this.#shape;
    this.#shape = shape;
    if (this.algorithm !== 'HS256') {
      const newest = newestOf(this.#records, this.algorithm);
      const key = newest && this.#loaded.get(newest.kid);
      if (key) this.#signer = { kid: key.record.kid, sign: key.sign };
    }
    if (changed) for (const listener of this.#listeners) listener();
  }

  /**
   * Calls `listener` whenever the keys that sign or verify change (a key made,
   * rotated in, expired or retired, here or on another instance): the moment
   * to read {@link privateJwks} or {@link publicJwks} again. Returns what stops it.
   */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The public keys every app backend may verify Gatehouse's tokens with (`/.well-known/jwks.json`); HS256 secrets never appear. */
  publicJwks(): { keys: JWK[] } {
    return this.#publicJwks;
  }

  /**
   * The private JWKs (kid, alg, use: 'sig') of every key that signs or still
   * verifies, for the OpenID provider: current signers first. The algorithms
   * asked for (RS256 by default: id_tokens are RS256 unless a client asks
   * otherwise) each get a key, made the first time, and are kept signing.
   */
  async privateJwks(algorithms: readonly AsymmetricAlgorithm[] = ['RS256']): Promise<{ keys: JWK[] }> {
    const missing = algorithms.filter((alg) => !this.#inUse.has(alg));
    for (const alg of missing) this.#inUse.add(alg);
    if (missing.length > 0 || this.#records.length === 0) await this.refresh();
    return { keys: this.#privateJwks.map((jwk) => ({ ...jwk })) };
  }

  /**
   * Makes a new key for each algorithm given, or else for every algorithm that
   * signs somewhere (JWT_ALGORITHM's and any whose newest key is still kept
   * alive). The new keys sign from the next poll of each instance; the old ones
   * verify until the tokens they signed have expired.
   */
  async rotate(algorithms?: readonly AsymmetricAlgorithm[]): Promise<SigningKeyRecord[]> {
    const now = this.#clock.now();
    const records = await this.#store.list();
    const targets = new Set<AsymmetricAlgorithm>(algorithms ?? this.#inUse);
    if (!algorithms) {
      for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
        const newest = newestOf(records, alg);
        if (newest && newest.verifyUntil > now) targets.add(alg);
      }
    }
    const made: SigningKeyRecord[] = [];
    // A key made in the same millisecond as the one it replaces must still be the newer: createdAt is what orders them.
    for (const alg of targets) made.push(await this.#create(alg, Math.max(now, (newestOf(records, alg)?.createdAt ?? 0) + 1)));
    await this.refresh();
    return made;
  }

  /**
   * Retires a key at once: tokens it signed are refused from the next poll of
   * each instance, and it leaves the JWKS. The key that signs JWT_ALGORITHM's
   * tokens cannot be retired: rotate first.
   */
  async retire(kid: string): Promise<RetireResult> {
    const records = await this.#store.list();
    const record = records.find((r) => r.kid === kid);
    if (!record || record.retiredAt !== null) return 'unknown';
    if (record.alg === this.algorithm && newestOf(records, record.alg)?.kid === kid) return 'signing';
    if (!(await this.#store.retire(kid, this.#clock.now()))) return 'unknown';
    await this.refresh();
    return 'retired';
  }

  /** Every key with its state, stored keys oldest first, then the HS256 secrets. */
  async list(): Promise<KeyStatus[]> {
    const records = await this.#store.list();
    const now = this.#clock.now();
    const stored = records.map((r): KeyStatus => {
      const newest = newestOf(records, r.alg)?.kid === r.kid;
      const state =
        r.retiredAt !== null
          ? 'retired'
          : newest && (r.alg === this.algorithm || r.verifyUntil > now)
            ? 'signing'
            : r.verifyUntil > now
              ? 'verifying'
              : 'expired';
      return { kid: r.kid, alg: r.alg, state, createdAt: r.createdAt, verifyUntil: r.verifyUntil, retiredAt: r.retiredAt };
    });
    const secrets = this.#secrets.map(
      (s): KeyStatus => ({
        kid: s.kid,
        alg: 'HS256',
        state: s.source === 'JWT_SECRET' && this.algorithm === 'HS256' ? 'signing' : 'verifying',
        createdAt: null,
        verifyUntil: null,
        retiredAt: null,
        source: s.source,
      }),
    );
    return [...stored, ...secrets];
  }
}

/** The newest key of an algorithm that is not retired: the one that signs. */
function newestOf(records: readonly SigningKeyRecord[], alg: AsymmetricAlgorithm): SigningKeyRecord | undefined {
  let newest: SigningKeyRecord | undefined;
  for (const r of records) {
    if (r.alg !== alg || r.retiredAt !== null) continue;
    if (!newest || r.createdAt > newest.createdAt || (r.createdAt === newest.createdAt && r.kid > newest.kid)) newest = r;
  }
  return newest;
}
