import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Provider } from 'oidc-provider';
import type { Config } from '../../config.ts';
import type { Core } from '../../core/core.ts';
import { API_RESOURCE_PATH, ISSUER_PATH } from './issuer-path.ts';
import { providerPages } from './provider-pages.ts';
import type { SigningKeySource } from './signing-keys.ts';

/** One provider per core, shared by both listeners. */
const providers = new WeakMap<Core, Promise<Provider>>();

/**
 * The provider, built at the first OpenID Connect request, not at start: a
 * server nobody signs in to through OpenID Connect makes no RS256, ES256 or
 * EdDSA key (an HS256 installation's JWKS stays empty), and oidc-provider (and
 * Koa under it) is loaded only then (~0.1 s of start-up and its memory). A key
 * rotation, here or on another instance (the key set is polled every 5 s),
 * makes the next request build it again; its state lives in the store.
 */
export function providerAccess(core: Core, config: Config, keys: SigningKeySource, log: FastifyBaseLogger): () => Promise<Provider> {
  core.signingKeys.onChange(() => providers.delete(core));
  return () => {
    let built = providers.get(core);
    if (!built) {
      built = import('./provider.ts')
        .then(({ buildProvider }) =>
          buildProvider(
            core,
            `${config.publicUrl}${ISSUER_PATH}`,
            `${config.publicUrl}${API_RESOURCE_PATH}`,
            keys,
            providerPages(),
            Boolean(config.trustProxy),
          ),
        )
        .then(({ provider }) => {
          // The provider's own unexpected failures reach the log once, never as a bare stack on stderr.
          provider.on('server_error', (_ctx, error) => log.error({ err: error }, 'OpenID provider failure'));
          return provider;
        });
      // A failed build (storage down) is tried again by the next request.
      built.catch(() => providers.delete(core));
      providers.set(core, built);
    }
    return built;
  };
}

/**
 * The provider's own routes under /oidc: no body parsing here (the provider
 * parses and limits its own), the raw request handed over with `url` stripped
 * of the mount path and `originalUrl` kept, which is how oidc-provider finds it.
 */
export async function providerRoutes(fastify: FastifyInstance, getProvider: () => Promise<Provider>): Promise<void> {
  const handlers = new WeakMap<Provider, ReturnType<Provider['callback']>>();
  await fastify.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const forward = async (request: FastifyRequest, reply: FastifyReply) => {
      const provider = await getProvider();
      let handle = handlers.get(provider);
      if (!handle) {
        handle = provider.callback();
        handlers.set(provider, handle);
      }
      reply.hijack();
      const req = request.raw as IncomingMessage & { originalUrl?: string };
      req.originalUrl = req.url;
      req.url = (req.url ?? '').slice(ISSUER_PATH.length) || '/';
      handle(req, reply.raw);
    };
    raw.all(`${ISSUER_PATH}/*`, { schema: { hide: true } }, forward);
  });
}
