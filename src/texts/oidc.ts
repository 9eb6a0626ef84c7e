import type { Lang } from './common.ts';

/** The OpenID Connect sign-in's own words (/oidc/interaction/…, logout): the sign-in and refusals are in common.ts. */
const en = {
  signInIntro: (app: string) => `to continue to ${app}`,
  consentTitle: 'Allow access',
  consentIntro: (app: string) => `${app} asks to:`,
  allow: 'Allow',
  deny: 'Deny',
  scopes: {
    openid: 'know who you are',
    profile: 'see your name and username',
    email: 'see your email address',
    phone: 'see your phone number',
    offline_access: 'stay signed in while you are away',
    organizations: 'see the organisations you belong to and your roles there',
  } as Record<string, string>,
  logoutTitle: 'Sign out',
  logoutIntro: 'Sign out of Gatehouse on this browser?',
  logoutYes: 'Sign out',
  logoutNo: 'Stay signed in',
  loggedOutTitle: 'Signed out',
  loggedOutText: 'You are signed out of Gatehouse on this browser.',
  errorTitle: 'Sign-in failed',
  errorText: 'The request cannot be completed. Go back to the app and try again.',
  enrolFirst: 'This account must set up two-step verification before signing in to apps: open /account, set it up, then try again.',
};

export type OidcTexts = typeof en;

const zh: OidcTexts = {
  signInIntro: (app) => `以继续使用 ${app}`,
  consentTitle: '授权访问',
  consentIntro: (app) => `${app} 请求：`,
  allow: '允许',
  deny: '拒绝',
  scopes: {
    openid: '知道您是谁',
    profile: '查看您的姓名和用户名',
    email: '查看您的邮箱地址',
    phone: '查看您的手机号码',
    offline_access: '在您离开时保持登录',
    organizations: '查看您所属的组织及您在其中的角色',
  },
  logoutTitle: '退出登录',
  logoutIntro: '要在此浏览器上退出 Gatehouse 吗？',
  logoutYes: '退出登录',
  logoutNo: '保持登录',
  loggedOutTitle: '已退出',
  loggedOutText: '您已在此浏览器上退出 Gatehouse。',
  errorTitle: '登录失败',
  errorText: '无法完成此请求。请返回应用后重试。',
  enrolFirst: '此账户需要先设置两步验证才能登录应用：请打开 /account 完成设置后再试。',
};

export const OIDC: Record<Lang, OidcTexts> = { en, zh };
