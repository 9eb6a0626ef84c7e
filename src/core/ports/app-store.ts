/** The id_token signing algorithms an app may choose. */
export const ID_TOKEN_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type IdTokenAlg = (typeof ID_TOKEN_ALGS)[number];

/** An app registered to sign its users in with Gatehouse (an OpenID Connect client). */
export interface App {
  clientId: string;
  name: string;
  /** SHA-256 of the secret (base64url); null for a public client (PKCE only, no secret). */
  secretHash: string | null;
  redirectUris: string[];
  /** How its id_tokens are signed: RS256 unless the app asked for ES256 or EdDSA. */
  idTokenAlg: IdTokenAlg;
  /** The API scopes `client_credentials` may grant it (never a user scope such as `openid` or `email`); empty for none. */
  scopes: string[];
  createdAt: number;
}

/** Persistence of registered apps. */
export interface AppStore {
  create(app: App): Promise<void>;
  find(clientId: string): Promise<App | null>;
  /** Oldest first. */
  list(): Promise<App[]>;
  /** Whether an app was removed. */
  delete(clientId: string): Promise<boolean>;
  /** Whether the app exists (and now has this secret). */
  setSecretHash(clientId: string, secretHash: string): Promise<boolean>;
  /** Whether the app exists (and now has these redirect URIs). */
  setRedirectUris(clientId: string, redirectUris: string[]): Promise<boolean>;
}
