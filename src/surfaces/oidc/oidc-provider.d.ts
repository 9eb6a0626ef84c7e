// oidc-provider ships no type declarations: the part of its API Gatehouse uses, typed loosely.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface KoaContextWithOIDC {
    oidc: {
      route?: string;
      session?: { uid?: string; accountId?: string; destroyed?: boolean };
      /** The signed-in session's acr (the provider session's). */
      acr?: string;
      /** The account a token is being made for (the token endpoint, once the code or refresh token is checked). */
      account?: { accountId: string };
      entities: Record<string, { result?: Record<string, unknown>; sessionUid?: string } | undefined>;
      params?: Record<string, unknown>;
      client?: { clientId: string; redirectUris?: string[]; postLogoutRedirectUris?: string[] };
      uid?: string;
    };
    type: string;
    body: unknown;
    status: number;
    set(field: string, value: string): void;
    req: IncomingMessage;
  }

  export interface Interaction {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown>;
    session?: { accountId: string; uid: string };
    grantId?: string;
    result?: Record<string, unknown>;
    lastSubmission?: Record<string, unknown>;
  }

  export interface Grant {
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
    destroy(): Promise<void>;
  }

  export class Provider {
    /** The request oidc-provider is handling (its AsyncLocalStorage), undefined outside one. */
    static readonly ctx: KoaContextWithOIDC | undefined;
    constructor(issuer: string, configuration: Record<string, unknown>);
    proxy: boolean;
    Grant: { new (init: { accountId: string; clientId: string }): Grant; find(id: string): Promise<Grant | undefined> };
    Client: { prototype: { compareClientSecret(actual: string): Promise<boolean> | boolean; clientSecret?: string } };
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>): void;
    on(event: string, listener: (...args: unknown[]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
  }
  export default Provider;

  export namespace interactionPolicy {
    class Check {
      static REQUEST_PROMPT: true;
      static NO_NEED_TO_PROMPT: false;
      constructor(reason: string, description: string, error: string, check: (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>);
    }
    interface Prompt {
      checks: { add(check: Check, index?: number): void };
    }
    interface Policy {
      get(name: string): Prompt | undefined;
    }
    function base(): Policy;
  }
  type ProviderError = new (description?: string, detail?: string) => Error;
  export const errors: { InvalidTarget: ProviderError; InvalidScope: ProviderError; InvalidGrant: ProviderError; InvalidRequest: ProviderError } & Record<
    string,
    ProviderError
  >;
}
