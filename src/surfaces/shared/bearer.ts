import { fail } from '../../core/errors.ts';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The token from an `Authorization: Bearer <token>` header. Throws
 * TOKEN_MISSING without a header, TOKEN_NOT_BEARER for another scheme, and
 * TOKEN_MALFORMED when the credential is not three dot-separated parts.
 */
export function bearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '') throw fail('TOKEN_MISSING');
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer') throw fail('TOKEN_NOT_BEARER');
  const token = header.slice(space + 1).trim();
  if (!JWT_SHAPE.test(token)) throw fail('TOKEN_MALFORMED');
  return token;
}
