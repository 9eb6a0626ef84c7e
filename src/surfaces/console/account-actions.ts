import { fail } from '../../core/errors.ts';
import type { User } from '../../core/ports/user-store.ts';
import type { StaffRole, StaffService } from '../../core/staff.ts';
import type { AccountAction } from '../../texts/console.ts';

/** The fields an action's form may carry besides its CSRF value. */
export interface ActionForm {
  email?: string;
  session?: string;
  confirm?: string;
  issuer?: string;
  subject?: string;
}

/** One action: the core's staff service checks the actor's rights and records the audit event (with the actor, `actAs`). */
type Act = (staff: StaffService, actor: User, user: User, form: ActionForm) => Promise<unknown>;

const role =
  (which: StaffRole, on: boolean): Act =>
  (staff, actor, user) =>
    staff.setRole(actor, user, which, on);

/**
 * What each button of an account's page does, by the action's name in its
 * form's URL. Total over the actions the texts label (src/texts/console.ts):
 * an action without its code, or a label without its action, fails the type check.
 */
export const ACCOUNT_ACTIONS: Record<AccountAction, Act> = {
  disable: (staff, actor, user) => staff.setStatus(actor, user, 'disabled'),
  enable: (staff, actor, user) => staff.setStatus(actor, user, 'active'),
  'verify-email': (staff, actor, user) => staff.setVerified(actor, user, 'email'),
  'verify-phone': (staff, actor, user) => staff.setVerified(actor, user, 'phone'),
  // The address's shape is the form schema's (format: email); an empty form changes nothing.
  'change-email': (staff, actor, user, form) =>
    form.email ? staff.changeEmail(actor, user, form.email) : Promise.reject(fail('VALIDATION_FAILED', 'a new email address is needed', 'email')),
  'send-reset': (staff, actor, user) => staff.sendReset(actor, user),
  'resend-verification': (staff, actor, user) => staff.resendVerification(actor, user),
  'end-session': (staff, actor, user, form) => staff.endSession(actor, user, form.session ?? ''),
  'end-sessions': (staff, actor, user) => staff.endAllSessions(actor, user),
  unlock: (staff, actor, user) => staff.unlock(actor, user),
  'reset-factors': (staff, actor, user) => staff.resetFactors(actor, user),
  'unlink-identity': (staff, actor, user, form) => staff.unlinkIdentity(actor, user, form.issuer ?? '', form.subject ?? ''),
  'grant-staff': role('staff', true),
  'revoke-staff': role('staff', false),
  'grant-superuser': role('superuser', true),
  'revoke-superuser': role('superuser', false),
  delete: (staff, actor, user, form) => staff.delete(actor, user, form.confirm ?? ''),
};

/** Whether a URL names one of the actions (an own key: never `constructor` or `__proto__`). */
export const isAccountAction = (name: string): name is AccountAction => Object.hasOwn(ACCOUNT_ACTIONS, name);
