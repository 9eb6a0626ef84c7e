/** Where the provider lives under PUBLIC_URL (see docs/decisions.md). */
export const ISSUER_PATH = '/oidc';
