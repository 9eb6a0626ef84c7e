import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** The first part of every sealed value: the format's version, so a later format can sit beside this one. */
const FORMAT = 'gh1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals secrets kept at rest (private signing keys, second-factor secrets)
 * with AES-256-GCM under one key read from MFA_ENCRYPTION_KEY (or generated
 * into DATA_DIR). The key never reaches the database, so a copy of the
 * database alone reveals no secret.
 *
 * Each value is sealed for a context (e.g. `signing-key:<kid>`), bound in as
 * associated data: a sealed value copied into another row does not open there.
 */
export class SecretBox {
  readonly #key: Buffer;

  /** `secret`: the configured or generated key text, at least 32 bytes; the AES key is derived from it (HKDF-SHA-256). */
  constructor(secret: string) {
    if (Buffer.byteLength(secret, 'utf8') < 32) throw new Error('the encryption key must be at least 32 bytes long');
    this.#key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'gatehouse secret box v1', 32));
  }

  /** `gh1.<iv>.<ciphertext>.<tag>`, base64url parts; a fresh random IV every time. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /**
   * The plaintext of a value {@link seal} made for the same context. Throws when
   * the value was sealed under another key or context, or was altered: that is
   * a misconfiguration (MFA_ENCRYPTION_KEY changed) or tampering, never a
   * client's mistake, so it is a plain Error for the operator's log.
   */
  open(sealed: string, context: string): string {
    const [format, iv, body, tag, extra] = sealed.split('.');
    if (format !== FORMAT || iv === undefined || body === undefined || tag === undefined || extra !== undefined) {
      throw new Error(`a sealed secret (${context}) is not in the ${FORMAT} format`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new Error(`a sealed secret (${context}) does not open: MFA_ENCRYPTION_KEY is not the key it was sealed with, or it was altered`, {
        cause: error,
      });
    }
  }
}
