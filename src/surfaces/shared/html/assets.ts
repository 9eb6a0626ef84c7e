import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { PROJECT_DIR } from '../../../project-dir.ts';

interface Asset {
  type: string;
  body: Buffer;
}

// From the project folder, not from this module's place: the same files whether it runs from src/, dist/ or the bundle.
const file = (path: string, type: string): Asset => ({ type, body: readFileSync(join(PROJECT_DIR, path)) });

/**
 * Every file the pages may load, by name: an explicit list, so no name (not
 * even `__proto__` or `constructor`) reaches anything but these.
 */
const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['pages.css', file('src/surfaces/shared/html/assets/pages.css', 'text/css; charset=utf-8')],
  ['console.css', file('src/surfaces/shared/html/assets/console.css', 'text/css; charset=utf-8')],
  ['pages.js', file('src/surfaces/shared/html/assets/pages.js', 'text/javascript; charset=utf-8')],
  // The passkey ceremonies of /account: SimpleWebAuthn's browser bundle (served from here, not a CDN) and the page's script.
  ['simplewebauthn-browser.js', file('node_modules/@simplewebauthn/browser/dist/bundle/index.umd.min.js', 'text/javascript; charset=utf-8')],
  ['account-passkeys.js', file('src/surfaces/shared/html/assets/account-passkeys.js', 'text/javascript; charset=utf-8')],
]);

/** `/assets/:name`, served on every listener for every page surface. */
export const assetRoutes: FastifyPluginAsync = async (app) => {
  app.get('/assets/:name', { schema: { hide: true, params: Type.Object({ name: Type.String({ maxLength: 64 }) }) } }, async (request, reply) => {
    const asset = ASSETS.get((request.params as { name: string }).name);
    if (!asset) return reply.code(404).send({ detail: 'Not Found' });
    return reply.header('content-type', asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
  });
};
