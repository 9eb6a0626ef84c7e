import type { TSchema } from 'typebox';
import { Enveloped, ok } from '../shared/envelope.ts';
import type { ErrorRenderer } from '../shared/error-map.ts';
import type { V1AuthStyle } from '../shared/surface.ts';
import { orgsEnvelopeRenderer, orgsPlainRenderer } from './errors.ts';

/** How `/api/v1/orgs` answers on a listener: plain bodies, or the `{status, message, data}` envelope (as `/api/v1/auth`). */
export interface OrgsStyle {
  tag: string;
  renderer: ErrorRenderer;
  data(message: string, value: unknown): unknown;
  Data(schema: TSchema): TSchema;
}

export const ORGS_STYLES: Readonly<Record<V1AuthStyle, OrgsStyle>> = {
  plain: { tag: 'v1-orgs (plain bodies)', renderer: orgsPlainRenderer, data: (_message, value) => value, Data: (schema) => schema },
  envelope: {
    tag: 'v1-orgs (envelope: {status, message, data})',
    renderer: orgsEnvelopeRenderer,
    data: (message, value) => ok(message, value),
    Data: (schema) => Enveloped(schema),
  },
};
