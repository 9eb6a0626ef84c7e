import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../../config.ts';
import type { Core } from '../../core/core.ts';
import type { RateLimits } from '../shared/rate-limits.ts';
import type { Style } from './styles.ts';

/** What each part of `/api/v1/auth` is built with: the listener's style, its token lifetime and OpenAPI tag. */
export interface V1Deps {
  core: Core;
  config: Config;
  limits: RateLimits;
  style: Style;
  accessTtl: number;
  tags: string[];
}

/** The TypeBox-typed app of a part of `/api/v1/auth`. */
export const typed = (fastify: FastifyInstance) => fastify.withTypeProvider<TypeBoxTypeProvider>();
