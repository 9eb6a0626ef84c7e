#!/usr/bin/env -S node --max-semi-space-size=4
// The `gatehouse` command. Each subcommand honours the same settings as the server.
import { StartupError } from '../startup-error.ts';
import { ConfigError, loadConfig, readEnvironment, type Config } from '../config.ts';
import { isGatehouseError } from '../core/errors.ts';
import { UsageError } from './usage-error.ts';

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  serve                         start the HTTP server (HOST:PORT)
  migrate                       bring the database schema up to date
  users list [--json] [--limit N] [--offset N] [--search TEXT]
  users create --email E [--username U] --password P [--first-name F] [--last-name L] [--superuser] [--staff]
  users disable|enable|delete USER
  users verify USER [--phone] [--undo]
                                mark the account's email (or phone) verified
  users set-email USER --email E
                                change the email; a verification mail goes to it
  users set-password USER --password P
  users show USER [--json]
  users staff|superuser USER [--undo]
                                give (or take) is_staff / is_superuser; audited, at once
  sessions list USER [--json]   a user's live sessions
  sessions revoke USER          end every session of a user
  clients add --name NAME --redirect-uri URI [--redirect-uri URI...] [--public]
              [--id-token-alg RS256|ES256|EdDSA] [--json]
                                register an app that signs users in with Gatehouse
                                (OpenID Connect); the secret is shown once
  clients list [--json] | clients remove ID | clients rotate-secret ID [--json]
  webhooks add URL [--events T1,T2] [--description TEXT] [--json]
                                an endpoint Gatehouse POSTs its events to, signed per
                                Standard Webhooks (none: every event); the secret is
                                shown once (--json: {"id", "secret"})
  webhooks list [--json] | webhooks remove ID | webhooks rotate-secret ID [--json]
  webhooks test ID [--json]     send a webhook.test event and wait for its first attempt
  webhooks enable|disable ID    after a 410 or a day of failures: deliveries resume
  orgs create --name NAME --slug SLUG --owner USER [--json]
                                an organisation, USER its first owner
  orgs list [--search TEXT] [--json]
  orgs add-member|remove-member ORG USER [--roles R1,R2]
                                ORG is a uuid or a slug; roles default to member
  orgs invite ORG EMAIL [--roles R1,R2]
                                mail an invitation (the link opens /account)
  roles list [--json]           organisation roles: built-in and custom, with permissions
  roles add NAME --permissions P1,P2 [--description TEXT]
                                define (or redefine) a custom role; owners and admins assign it
  roles remove NAME             and take it from every member and invitation
  providers add --kind oidc|github|apple|wechat --id ID --name NAME [--issuer URL] --client-id ID
          [--client-secret S | --client-secret-file FILE|-] [--audience A]...
          [--no-signup] [--domain D]... [--trust-mfa] [--json]
          (apple: --team-id T --key-id K --private-key-file FILE|- in place of the secret;
          --issuer defaults to GitHub's, Apple's or WeChat's own)
                                an identity provider people sign in with (a button on
                                the sign-in pages); prints the callback URL to register
                                there (--json: {"id", "redirect_uri"})
  providers list [--json] | providers remove ID
  keys list [--json]            signing keys: which signs, until when each verifies
  keys rotate [--algorithm ES256|EdDSA|RS256]
                                a new signing key; the old one verifies until its tokens expire
  keys retire KID               refuse a key's tokens at once and drop it from the JWKS
  mail list [--limit N] [--json]  mail kept in the outbox (when SMTP_URL is unset)
  import legacy-sqlite PATH [--dry-run]
                                users of the original FastAPI system, passwords kept
  import users FILE [--dry-run] [--format csv|json]
                                users exported from another system (argon2 or bcrypt hashes)
  audit [--user USER] [--limit N] [--json]
                                security events (logins, lockouts, logouts, password changes, token theft)
  doctor                        check settings, database, Redis, SMTP, secret and files
  copy --from sqlite:PATH|postgres://URL --to sqlite:PATH|postgres://URL
       [--from-encryption-key-file FILE] [--to-encryption-key-file FILE] [--json]
                                move an installation to another, empty database:
                                accounts, second factors, passkeys, apps, signing
                                keys, audit trail, products, outbox (not sessions:
                                users sign in again); sealed secrets re-sealed
                                under the target's key (each side's key: the file
                                given, else MFA_ENCRYPTION_KEY, else
                                DATA_DIR/encryption-key)
  products import FILE [--strict] [--format csv|json]
                                upsert products by id from CSV or JSON (columns:
                                id, model, quantity, image, price, name,
                                description, featured_rank, status)

USER is an email, a username, a uuid or a numeric id.
Settings come from the environment, or from a .env file in the project folder
(the environment wins), wherever Gatehouse is started from (see README).`;

type Command = (args: string[], config: Config) => Promise<number>;

// Each command's module is loaded when it runs: the server then carries no
// code of the other commands (PostgreSQL copy, SMTP checks, CSV import) in memory.
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve-command.ts')).serveCommand,
  migrate: async () => (await import('./migrate-command.ts')).migrateCommand,
  users: async () => (await import('./users-command.ts')).usersCommand,
  mail: async () => (await import('./mail-command.ts')).mailCommand,
  products: async () => (await import('./products-command.ts')).productsCommand,
  copy: async () => (await import('./copy-command.ts')).copyCommand,
  import: async () => (await import('./import-command.ts')).importCommand,
  sessions: async () => (await import('./sessions-command.ts')).sessionsCommand,
  clients: async () => (await import('./clients-command.ts')).clientsCommand,
  keys: async () => (await import('./keys-command.ts')).keysCommand,
  webhooks: async () => (await import('./webhooks-command.ts')).webhooksCommand,
  orgs: async () => (await import('./orgs-command.ts')).orgsCommand,
  roles: async () => (await import('./roles-command.ts')).rolesCommand,
  providers: async () => (await import('./providers-command.ts')).providersCommand,
  doctor: async () => (await import('./doctor-command.ts')).doctorCommand,
  audit: async () => (await import('./audit-command.ts')).auditCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) throw new UsageError(`unknown command "${name}" (try: gatehouse --help)`);
  const config = loadConfig(readEnvironment());
  return (await load())(rest, config);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // One clear line, never a stack trace, for the mistakes a user can fix.
    if (error instanceof ConfigError || error instanceof UsageError || error instanceof StartupError) console.error(`gatehouse: ${error.message}`);
    else if (isGatehouseError(error)) console.error(`gatehouse: ${error.message}`);
    else console.error('gatehouse: unexpected failure:', error);
    process.exitCode = error instanceof UsageError || error instanceof ConfigError || error instanceof StartupError ? 2 : 1;
  },
);
