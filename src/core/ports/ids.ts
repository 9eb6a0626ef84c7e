import { randomBytes, randomUUID } from 'node:crypto';

/** Where the core gets identifiers and secrets. Injected so tests can make them predictable. */
export interface IdSource {
  /** A canonical 8-4-4-4-12 UUID (v4). */
  uuid(): string;
  /** `bytes` random bytes, base64url encoded (no padding). */
  token(bytes?: number): string;
}

export const randomIds: IdSource = {
  uuid: () => randomUUID(),
  token: (bytes = 16) => randomBytes(bytes).toString('base64url'),
};
