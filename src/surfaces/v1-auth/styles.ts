import { Type, type TSchema } from 'typebox';
import type { Config } from '../../config.ts';
import type { Registration } from '../../core/accounts.ts';
import { fail } from '../../core/errors.ts';
import type { Session } from '../../core/ports/session-store.ts';
import type { User } from '../../core/ports/user-store.ts';
import { Enveloped, ok } from '../shared/envelope.ts';
import type { ErrorOverrides, ErrorRenderer, MappedCode } from '../shared/error-map.ts';
import type { V1AuthStyle } from '../shared/surface.ts';
import { v1EnvelopeRenderer, v1PlainRenderer } from './errors.ts';
import { EnvelopeLogin403, PlainLogin403 } from './mfa-schemas.ts';
import {
  EndedSessions,
  EnvelopeProfile,
  EnvelopeRefreshBody,
  EnvelopeRegisterBody,
  EnvelopeRegistered,
  JsonLoginBody,
  LoginAnswer,
  LoginBody,
  Message,
  Profile,
  RefreshAnswer,
  RefreshBody,
  RegisterBody,
  RegisteredUser,
  SessionView,
  TokenData,
} from './schemas.ts';
import { envelopeRegistered, loginUser, profile, refreshUser, registeredUser, sessionView } from './views.ts';

/** What a refresh hands back: the new access token, and the refresh token the client should keep (if any). */
export interface RefreshResult {
  accessToken: string;
  refreshToken: string | undefined;
  user: User;
}

/**
 * One way `/api/v1/auth` answers (the "transport" of fastapi-users' split): the
 * body shapes and their schemas, the error renderer, the token lifetime and the
 * refresh policy. The routes are the same for every style.
 */
export interface Style {
  name: V1AuthStyle;
  /** OpenAPI tag: each listener's document shows its own style. */
  tag: string;
  renderer: ErrorRenderer;
  accessTtl(config: Config): number;
  /** Whether a refresh by refresh token hands out a new one (and retires the presented one). */
  rotatesRefreshTokens(config: Config): boolean;
  /** Login hands out a refresh token too. */
  issuesRefreshTokens: boolean;
  /** A success carrying `value` (envelope: in `data`, with the message), and its schema. */
  data(message: string, value: unknown): unknown;
  Data(schema: TSchema): TSchema;
  /** A login's 403: with the mfa_token of the second step for an enrolled account. */
  Login403: TSchema;
  /** A success that only says something, and its schema. */
  said(text: string): unknown;
  Said: TSchema;
  register: { Body: TSchema; Answer: TSchema; input(body: Record<string, unknown>): Registration; view(user: User): unknown };
  /** `/login`: form (plain, as OAuth2's password flow) or JSON (envelope). */
  login: { Body: TSchema; consumes: string[]; Answer: TSchema; view(grant: { accessToken: string; refreshToken?: string; user: User }, ttl: number): unknown };
  refresh: { Body: TSchema; Answer: TSchema; view(result: RefreshResult, ttl: number): unknown };
  me: { Answer: TSchema; view(user: User): unknown };
  sessions: { Answer: TSchema; view(sessions: Session[], currentId: string): unknown; Ended: TSchema; ended(count: number): unknown };
}

/** Seed 004: plain objects, Chinese messages in `{detail}`, 60-minute tokens, no refresh tokens handed out. */
const plain: Style = {
  name: 'plain',
  tag: 'v1-auth (Chinese messages, plain bodies)',
  renderer: v1PlainRenderer,
  accessTtl: (config) => config.tokenTtl.v1Auth,
  rotatesRefreshTokens: () => false,
  issuesRefreshTokens: false,
  data: (_message, value) => value,
  Data: (schema) => schema,
  Login403: PlainLogin403,
  said: (text) => ({ message: text }),
  Said: Message,
  register: {
    Body: RegisterBody,
    Answer: RegisteredUser,
    input(b) {
      if (b.confirm_password !== b.password) throw fail('VALIDATION_FAILED', '两次输入的密码不一致');
      return {
        username: b.username as string,
        email: b.email as string,
        password: b.password as string,
        fullName: b.full_name as string | null,
        phone: b.phone as string | null,
      };
    },
    view: registeredUser,
  },
  login: {
    Body: LoginBody,
    consumes: ['application/x-www-form-urlencoded'],
    Answer: LoginAnswer,
    view: (grant, ttl) => ({ access_token: grant.accessToken, token_type: 'bearer', expires_in: ttl, user: loginUser(grant.user) }),
  },
  refresh: {
    Body: RefreshBody,
    Answer: RefreshAnswer,
    view: (r, ttl) => ({ access_token: r.accessToken, token_type: 'bearer', expires_in: ttl, user: refreshUser(r.user) }),
  },
  me: { Answer: Profile, view: profile },
  sessions: {
    Answer: Type.Array(SessionView),
    view: (sessions, currentId) => sessions.map((s) => sessionView(s, currentId)),
    Ended: EndedSessions,
    ended: (count) => ({ message: '其他会话已结束', ended: count }),
  },
};

/** Seed 003: the `{status, message, data}` envelope with codes, 24-hour tokens, refresh tokens handed out. */
const envelope: Style = {
  name: 'envelope',
  tag: 'v1-auth (envelope: {status, message, data})',
  renderer: v1EnvelopeRenderer,
  accessTtl: (config) => config.tokenTtl.envelope,
  rotatesRefreshTokens: (config) => config.refreshTokenRotation,
  issuesRefreshTokens: true,
  data: (message, value) => ok(message, value),
  Data: (schema) => Enveloped(schema),
  Login403: EnvelopeLogin403,
  said: (text) => ok(text, null),
  Said: Enveloped(null),
  register: {
    Body: EnvelopeRegisterBody,
    Answer: Enveloped(EnvelopeRegistered),
    input: (b) => ({ username: b.username as string, password: b.password as string, fullName: b.full_name as string | null, email: b.email as string | null }),
    view: (user) => ok('注册成功', envelopeRegistered(user)),
  },
  login: {
    Body: JsonLoginBody,
    consumes: ['application/json'],
    Answer: Enveloped(TokenData),
    view: (grant, ttl) => ok('登录成功', { access_token: grant.accessToken, refresh_token: grant.refreshToken!, token_type: 'bearer', expires_in: ttl }),
  },
  refresh: {
    Body: EnvelopeRefreshBody,
    Answer: Enveloped(TokenData),
    view: (r, ttl) => ok('令牌刷新成功', { access_token: r.accessToken, refresh_token: r.refreshToken!, token_type: 'bearer', expires_in: ttl }),
  },
  me: { Answer: Enveloped(EnvelopeProfile), view: (user) => ok('获取用户信息成功', { uuid: user.uuid, ...profile(user) }) },
  sessions: {
    Answer: Enveloped(Type.Array(SessionView)),
    view: (sessions, currentId) =>
      ok(
        '获取会话列表成功',
        sessions.map((s) => sessionView(s, currentId)),
      ),
    Ended: Enveloped(Type.Object({ ended: Type.Integer() })),
    ended: (count) => ok('其他会话已结束', { ended: count }),
  },
};

/** A route's documented refusals (its codes, as this style answers them), for the `errors` of its schema. */
export function answersIn(style: Style): (...codes: MappedCode[]) => ErrorOverrides {
  return (...codes) => Object.fromEntries(codes.map((c) => [c, style.renderer.map[c]]));
}

export const STYLES: Readonly<Record<V1AuthStyle, Style>> = { plain, envelope };
