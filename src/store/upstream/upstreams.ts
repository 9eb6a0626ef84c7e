import type { ProvedIdentity } from '../../core/ports/identity-store.ts';
import type { UpstreamClientConfig, UpstreamProtocol, UpstreamSecrets } from '../../core/ports/upstream.ts';
import { AppleUpstream } from './apple-upstream.ts';
import { GitHubUpstream } from './github-upstream.ts';
import { OpenIdUpstream, type UpstreamFetch } from './openid-upstream.ts';
import { WeChatUpstream } from './wechat-upstream.ts';

/** Each provider spoken to in its kind's protocol. */
export class Upstreams implements UpstreamProtocol {
  readonly #oidc: OpenIdUpstream;
  readonly #github = new GitHubUpstream();
  readonly #apple = new AppleUpstream();
  readonly #wechat = new WeChatUpstream();

  /** `fetch`: how `oidc` providers are reached (a test's, to answer as Microsoft does); the global fetch by default. */
  constructor(options: { fetch?: UpstreamFetch } = {}) {
    this.#oidc = new OpenIdUpstream({ fetch: options.fetch });
  }

  #of(config: UpstreamClientConfig): UpstreamProtocol {
    if (config.provider.kind === 'github') return this.#github;
    if (config.provider.kind === 'oidc') return this.#oidc;
    if (config.provider.kind === 'apple') return this.#apple;
    if (config.provider.kind === 'wechat') return this.#wechat;
    throw new Error(`kind ${config.provider.kind} is not available`);
  }

  authorizationUrl(config: UpstreamClientConfig, secrets: UpstreamSecrets): Promise<URL> {
    return this.#of(config).authorizationUrl(config, secrets);
  }

  finish(config: UpstreamClientConfig, callback: URL, secrets: UpstreamSecrets): Promise<ProvedIdentity> {
    return this.#of(config).finish(config, callback, secrets);
  }

  verifyIdToken(config: UpstreamClientConfig, idToken: string, expected: { audiences: string[]; nonce: string }): Promise<ProvedIdentity> {
    return this.#of(config).verifyIdToken(config, idToken, expected);
  }
}
