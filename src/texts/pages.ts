import type { Lang } from './common.ts';

/** The pages behind the links Gatehouse mails (/reset-password, /verify-email) and `/`. */
const en = {
  title: 'Gatehouse authentication server',
  intro:
    'A self-hosted authentication server: registration, login, token refresh, password reset and email verification. Apps talk to it through the API documented below.',
  docs: 'API documentation',
  health: 'Liveness',
  ready: 'Readiness',
  styleNote: (style: string) =>
    `On this port /api/v1/auth answers in the ${style === 'envelope' ? '{status, message, data} envelope' : 'plain style (Chinese messages)'}.`,
  resetTitle: 'Set a new password',
  resetIntro: 'Type your new password twice. Every device signed in to your account is then signed out.',
  policy: 'Passwords are 8 to 128 characters long.',
  newPassword: 'New password',
  confirmPassword: 'New password, again',
  resetButton: 'Set new password',
  resetDone: 'Password changed',
  resetDoneText: 'You can now sign in with your new password.',
  mismatch: 'The two passwords differ.',
  tooShort: 'The password needs at least 8 characters.',
  tooLong: 'The password may have at most 128 characters.',
  linkInvalid: 'This link does not work',
  linkInvalidText: 'It was used already, has expired, or is incomplete. Please ask for a new one.',
  verifyTitle: 'Verify your email address',
  verifyIntro: 'Press the button to confirm that this email address is yours.',
  verifyButton: 'Confirm my email address',
  verifyDone: 'Email address verified',
  verifyDoneText: 'Thank you! Your email address is confirmed.',
  failedTitle: 'This did not work',
  home: 'Home',
};

export type PagesTexts = typeof en;

const zh: PagesTexts = {
  title: 'Gatehouse 认证服务',
  intro: '这是一个自托管的认证服务：注册、登录、刷新令牌、找回密码和邮箱验证。应用通过下面的接口文档与它对话。',
  docs: '接口文档',
  health: '健康检查',
  ready: '就绪检查',
  styleNote: (style) => `本端口上 /api/v1/auth 使用 ${style === 'envelope' ? '{status, message, data} 信封格式' : '普通格式（中文消息）'}。`,
  resetTitle: '设置新密码',
  resetIntro: '请输入新密码两次。设置后，您账户所有已登录的设备都会退出。',
  policy: '密码长度为 8 到 128 个字符。',
  newPassword: '新密码',
  confirmPassword: '再次输入新密码',
  resetButton: '设置新密码',
  resetDone: '密码已更新',
  resetDoneText: '现在可以用新密码登录了。',
  mismatch: '两次输入的密码不一致。',
  tooShort: '密码至少需要 8 个字符。',
  tooLong: '密码最多 128 个字符。',
  linkInvalid: '链接无效或已过期',
  linkInvalidText: '这个链接已经用过、已过期或不完整。请重新申请。',
  verifyTitle: '验证邮箱',
  verifyIntro: '点击下面的按钮，确认这个邮箱地址属于您。',
  verifyButton: '确认我的邮箱',
  verifyDone: '邮箱已验证',
  verifyDoneText: '谢谢！您的邮箱地址已经确认。',
  failedTitle: '操作未能完成',
  home: '返回首页',
};

export const PAGES: Record<Lang, PagesTexts> = { en, zh };
