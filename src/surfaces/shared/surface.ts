import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config.ts';
import type { Core } from '../../core/core.ts';
import type { ErrorMap } from './error-map.ts';
import type { RateLimits } from './rate-limits.ts';

/** The two shapes `/api/v1/auth` answers in: Chinese `{detail}` (plain) or the `{status, message, data}` envelope. */
export type V1AuthStyle = 'plain' | 'envelope';

/** What every surface plugin is given, on every listener. */
export interface SurfaceOptions {
  core: Core;
  config: Config;
  limits: RateLimits;
  /** The style `/api/v1/auth` answers in on this listener. */
  style: V1AuthStyle;
}

/**
 * One contract served over HTTP. A surface is one folder under `src/surfaces/`
 * with an `index.ts` exporting its descriptor, and one line in `registry.ts`.
 */
export interface Surface<Name extends string = string> {
  /** The name `SURFACES` uses. */
  name: Name;
  /** Who calls it: the README's surfaces table is written from it (a test compares). */
  summary: string;
  /**
   * The paths it answers: exact, or `prefix/*` for the prefix and everything
   * under it. The README's surfaces table shows them, and a test holds every
   * route the surface registers to them.
   */
  mounts: readonly string[];
  plugin: FastifyPluginAsync<SurfaceOptions>;
  /** Its error maps by name (a style or a sub-surface), for the surfaces x codes table test. */
  errors: Readonly<Record<string, ErrorMap>>;
  /**
   * Work done once per process however many listeners serve the surface (demo
   * data, background flushes). Returns what stops it.
   */
  start?(core: Core, config: Config, log: FastifyBaseLogger): Promise<() => Promise<void>>;
}

/** Declares a surface, keeping its name a literal type so `SURFACES` values are checked. */
export function defineSurface<const Name extends string>(surface: Surface<Name>): Surface<Name> {
  return surface;
}

/** The plugin of a surface whose routes all live under one prefix. */
export function mountedAt(prefix: string, routes: FastifyPluginAsync<SurfaceOptions>): FastifyPluginAsync<SurfaceOptions> {
  return async (app, options) => {
    await app.register(routes, { ...options, prefix });
  };
}
