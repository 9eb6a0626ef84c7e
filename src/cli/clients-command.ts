import { parseArgs } from 'node:util';
import { boot } from '../boot.ts';
import type { Config } from '../config.ts';
import { ID_TOKEN_ALGS, type IdTokenAlg } from '../core/ports/app-store.ts';
import { UsageError } from './usage-error.ts';

const ACTIONS =
  'add --name NAME --redirect-uri URI [--redirect-uri URI...] [--public] [--id-token-alg RS256|ES256|EdDSA] [--scope S...] [--json], list [--json], remove ID, rotate-secret ID [--json]';

/** `gatehouse clients ...`: the apps that sign their users in with Gatehouse (OpenID Connect). */
export async function clientsCommand(args: string[], config: Config): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'add' && action !== 'list' && action !== 'remove' && action !== 'rotate-secret') throw new UsageError(`clients needs an action: ${ACTIONS}`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        name: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        public: { type: 'boolean' },
        'id-token-alg': { type: 'string' },
        scope: { type: 'string', multiple: true },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const alg = values['id-token-alg'];
  if (alg !== undefined && !(ID_TOKEN_ALGS as readonly string[]).includes(alg)) throw new UsageError(`--id-token-alg is one of ${ID_TOKEN_ALGS.join(', ')}`);
  if (action === 'add' && (!values.name || !values['redirect-uri']?.length)) throw new UsageError('clients add needs --name and at least one --redirect-uri');
  if ((action === 'remove' || action === 'rotate-secret') && positionals.length !== 1) throw new UsageError(`clients ${action} needs the client id`);
  const core = await boot(config);
  try {
    if (action === 'add') {
      const { app, secret } = await core.apps.register({
        name: values.name!,
        redirectUris: values['redirect-uri']!,
        isPublic: values.public ?? false,
        idTokenAlg: alg as IdTokenAlg | undefined,
        scopes: values.scope ?? [],
      });
      if (values.json) console.log(JSON.stringify({ client_id: app.clientId, client_secret: secret }));
      else {
        console.log(`client_id: ${app.clientId}`);
        console.log(secret === null ? 'public client: no secret (PKCE alone)' : `client_secret: ${secret}\n(shown once: Gatehouse keeps only its hash)`);
      }
      return 0;
    }
    if (action === 'list') {
      const apps = await core.apps.list();
      const view = apps.map((a) => ({
        client_id: a.clientId,
        name: a.name,
        public: a.secretHash === null,
        redirect_uris: a.redirectUris,
        id_token_alg: a.idTokenAlg,
        scopes: a.scopes,
        created_at: new Date(a.createdAt).toISOString(),
      }));
      if (values.json) console.log(JSON.stringify(view));
      else if (view.length === 0) console.log('no clients registered');
      else
        for (const a of view)
          console.log(
            [
              a.client_id,
              a.name,
              a.public ? 'public' : 'confidential',
              a.id_token_alg,
              a.redirect_uris.join(' '),
              a.scopes.join(' ') || '(no API scopes)',
            ].join('\t'),
          );
      return 0;
    }
    const clientId = positionals[0]!;
    if (action === 'remove') {
      await core.apps.remove(clientId);
      console.log(`removed client ${clientId}`);
      return 0;
    }
    const secret = await core.apps.rotateSecret(clientId);
    if (values.json) console.log(JSON.stringify({ client_id: clientId, client_secret: secret }));
    else console.log(`client_secret: ${secret}\n(shown once; the previous secret no longer works)`);
    return 0;
  } finally {
    await core.close();
  }
}
