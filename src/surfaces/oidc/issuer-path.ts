/** Where the provider lives under PUBLIC_URL (see docs/decisions.md). */
export const ISSUER_PATH = '/oidc';

/** The API resource (RFC 8707) of client_credentials tokens, their `aud`: PUBLIC_URL + this (docs/oidc.md). */
export const API_RESOURCE_PATH = '/api';
