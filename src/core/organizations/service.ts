import type { Audit } from '../audit.ts';
import { fail } from '../errors.ts';
import type { Events } from '../events.ts';
import type { Lockout } from '../lockout.ts';
import type { Clock } from '../ports/clock.ts';
import type { IdSource } from '../ports/ids.ts';
import type { Mailer } from '../ports/mailer.ts';
import type { OrganizationStore } from '../ports/organization-store.ts';
import type { User, UserStore } from '../ports/user-store.ts';
import { Invitations, type InvitationSettings } from './invitations.ts';
import { Memberships } from './memberships.ts';
import { Organizations } from './organizations.ts';
import { RoleCatalog } from './roles.ts';

/** Organisations, their members, invitations and the roles catalog: `core.orgs`. */
export class OrganizationService {
  readonly organizations: Organizations;
  readonly members: Memberships;
  readonly invitations: Invitations;
  readonly roles: RoleCatalog;
  readonly #store: OrganizationStore;

  constructor(
    deps: { store: OrganizationStore; users: UserStore; audit: Audit; events: Events; clock: Clock; ids: IdSource; lockout: Lockout; mailer: Mailer },
    settings?: InvitationSettings,
  ) {
    this.#store = deps.store;
    this.roles = new RoleCatalog(deps);
    const shared = { ...deps, roles: this.roles };
    this.organizations = new Organizations(shared);
    this.members = new Memberships(shared);
    this.invitations = new Invitations(shared, settings);
  }

  /**
   * Refuses (LAST_OWNER) to delete an account that is the only owner of an
   * organisation: it is handed over or deleted first. Its other memberships go
   * with the account (the store's cascade).
   */
  async mayDelete(user: User): Promise<void> {
    const sole = await this.#store.soleOwnerships(user.id);
    if (sole.length > 0) throw fail('LAST_OWNER', `the only owner of ${sole.length} organisation(s): hand them over or delete them first`);
  }
}
