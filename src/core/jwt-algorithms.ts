import type { AsymmetricAlgorithm } from './ports/signing-key-store.ts';

/** The algorithms Gatehouse signs with; a module of names only, so reading settings loads no crypto library. */
export type JwtAlgorithm = AsymmetricAlgorithm | 'HS256';
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['ES256', 'EdDSA', 'RS256', 'HS256'];
