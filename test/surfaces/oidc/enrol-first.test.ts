// MFA_REQUIRED on the OpenID Connect sign-in: an account it covers, with no second factor yet, is told to set one
// up at /account and the app gets nothing — no code, no session — however right its password is.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromiumPath } from '../../helpers/browser.ts';
import { authorizationRequest, newPage, type OidcFixture, startOidcFixture } from '../../helpers/oidc.ts';
import { PASSWORD, uniqueEmail } from '../../helpers/users.ts';

const executablePath = chromiumPath();
if (!executablePath && process.env.CI) throw new Error('CI is set but Chromium is not installed');

describe('OpenID Connect sign-in under MFA_REQUIRED=staff', { skip: executablePath ? false : 'Chromium is not installed' }, () => {
  let fixture: OidcFixture;
  before(async () => {
    fixture = await startOidcFixture(executablePath!, { MFA_REQUIRED: 'staff' });
  });
  after(() => fixture?.close());

  test('a staff account without a second factor is sent to set one up; the app gets no code and no session is left', async () => {
    const email = uniqueEmail('staff');
    const staff = await fixture.server.core.accounts.register({ email, password: PASSWORD, isStaff: true });
    const { context, page } = await newPage(fixture.browser);
    try {
      const { url } = await authorizationRequest(fixture.config, fixture.rp.url);
      await page.goto(url.href);
      await page.fill('#login', email);
      await page.fill('#password', PASSWORD);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.locator('form button[type="submit"]').first().click(),
      ]);
      assert.equal(answer.status(), 403);
      assert.match((await page.locator('body').textContent()) ?? '', /must set up two-step verification before signing in to apps/);
      assert.equal(page.url().startsWith(fixture.rp.url), false, 'never back at the app');
      assert.deepEqual(await fixture.server.core.sessions.listForUser(staff.id), [], 'the sign-in left no session behind');
    } finally {
      await context.close();
    }
  });
});
