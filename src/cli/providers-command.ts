import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { boot } from '../boot.ts';
import type { Config } from '../config.ts';
import { providerJson } from '../core/identities.ts';
import { UsageError } from './usage-error.ts';

const ACTIONS =
  'add --kind oidc|github|apple|wechat --id ID --name NAME [--issuer URL] --client-id ID [--client-secret S | --client-secret-file FILE|-] [--team-id T --key-id K --private-key-file FILE|-] [--audience A]... [--no-signup] [--domain D]... [--trust-mfa] [--json], list [--json], remove ID';
/** The kinds whose issuer has a default (github.com, appleid.apple.com, open.weixin.qq.com): --issuer names another (GitHub Enterprise Server, a test). */
const ISSUER_OPTIONAL = ['github', 'apple', 'wechat'];

/** A secret (the client secret, Apple's private key) from a file, or standard input for `-`: kept out of the shell's history. One trailing newline is dropped. */
function secretFrom(file: string): string {
  const text = readFileSync(file === '-' ? 0 : file, 'utf8');
  return text.replace(/\r?\n$/, '');
}

/** `gatehouse providers ...`: the upstream identity providers people sign in with (docs/identity-providers.md). */
export async function providersCommand(args: string[], config: Config): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'add' && action !== 'list' && action !== 'remove') throw new UsageError(`providers needs an action: ${ACTIONS}`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        kind: { type: 'string' },
        id: { type: 'string' },
        name: { type: 'string' },
        issuer: { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        'client-secret-file': { type: 'string' },
        audience: { type: 'string', multiple: true },
        'no-signup': { type: 'boolean' },
        domain: { type: 'string', multiple: true },
        'trust-mfa': { type: 'boolean' },
        'team-id': { type: 'string' },
        'key-id': { type: 'string' },
        'private-key-file': { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (action === 'remove' && positionals.length !== 1) throw new UsageError('providers remove needs the provider id');
  if (action !== 'remove' && positionals.length !== 0) throw new UsageError(`providers ${action} takes no positional argument`);
  let clientSecret: string | null = null;
  let apple: { teamId: string; keyId: string; privateKey: string } | undefined;
  if (action === 'add') {
    for (const needed of ['kind', 'id', 'name', 'client-id'] as const) if (!values[needed]) throw new UsageError(`providers add needs --${needed}`);
    if (!values.issuer && !ISSUER_OPTIONAL.includes(values.kind!)) throw new UsageError('providers add needs --issuer');
    if (values.kind === 'apple') {
      for (const needed of ['team-id', 'key-id', 'private-key-file'] as const)
        if (!values[needed]) throw new UsageError(`providers add --kind apple needs --${needed}`);
      apple = { teamId: values['team-id']!, keyId: values['key-id']!, privateKey: secretFrom(values['private-key-file']!) };
    }
    if (values['client-secret'] !== undefined && values['client-secret-file'] !== undefined)
      throw new UsageError('give --client-secret or --client-secret-file, not both');
    const file = values['client-secret-file'];
    clientSecret = file !== undefined ? secretFrom(file) : (values['client-secret'] ?? null);
  }
  const core = await boot(config);
  try {
    if (action === 'add') {
      const added = await core.identities.add({
        id: values.id!,
        kind: values.kind!,
        name: values.name!,
        issuer: values.issuer ?? '',
        clientId: values['client-id']!,
        clientSecret: clientSecret || null,
        audiences: values.audience ?? [],
        signup: !values['no-signup'],
        domains: values.domain ?? [],
        trustMfa: values['trust-mfa'] ?? false,
        apple,
      });
      if (values.json) console.log(JSON.stringify({ id: added.id, redirect_uri: added.redirectUri }));
      else {
        console.log(`id: ${added.id}`);
        console.log(`redirect_uri: ${added.redirectUri}\n(register this callback URL at the provider)`);
      }
      return 0;
    }
    if (action === 'list') {
      const providers = (await core.identities.list()).map(providerJson);
      if (values.json) console.log(JSON.stringify(providers));
      else if (providers.length === 0) console.log('no identity providers');
      else for (const p of providers) console.log([p.id, p.kind, p.enabled ? 'enabled' : 'disabled', p.name, p.issuer, p.redirect_uri].join('\t'));
      return 0;
    }
    await core.identities.remove(positionals[0]!);
    console.log(`removed identity provider ${positionals[0]} (and the identities linked through it)`);
    return 0;
  } finally {
    await core.close();
  }
}
