/**
 * The words every HTML page shares: the sign-in and its second step (the same
 * on /account, /admin and the OpenID sign-in), and one sentence for each way a
 * form can be refused. Chinese in one tone: 您, 账户.
 *
 * The JSON APIs' messages are contracts and live with their surfaces; only the
 * pages and the mails speak from src/texts/.
 */

/** The languages the pages and mails speak. */
export type Lang = 'zh' | 'en';

/** Why a form was refused; each has one sentence, the same on every page. */
export type Refusal =
  | 'wrongCredentials'
  | 'wrongCode'
  | 'locked'
  | 'tooMany'
  | 'stepExpired'
  | 'disabled'
  | 'unverified'
  | 'enrolFirst'
  | 'formExpired'
  | 'unavailable'
  | 'failed'
  | 'wrongPassword'
  | 'badInput'
  | 'stepUpNeeded'
  | 'lastFactor'
  | 'factorState'
  | 'noAccess'
  | 'notFound'
  | 'emailTaken'
  | 'phoneTaken'
  | 'wrongSignInCode'
  | 'passkeyFailed'
  | 'upstreamFailed'
  | 'upstreamUnkeyed'
  | 'linkRequired'
  | 'upstreamNotAllowed'
  | 'lastWayIn';

const en = {
  signIn: {
    title: 'Sign in',
    login: 'Username or email',
    password: 'Password',
    submit: 'Sign in',
    passkey: 'Sign in with a passkey',
    cancel: 'Cancel',
    withProvider: (name: string) => `Continue with ${name}`,
    providers: 'Or sign in with',
  },
  secondStep: {
    title: 'Two-step verification',
    intro: 'Enter the 6-digit code your authenticator app shows, or one of your recovery codes.',
    code: 'Code or recovery code',
    submit: 'Verify',
    passkey: 'Use a passkey instead',
  },
  /** Signing in with a code texted or mailed (the same on every page that offers it). */
  code: {
    instead: 'Sign in with a code instead',
    title: 'Sign in with a code',
    to: 'Phone number or email address',
    toHint: 'We text or mail you a 6-digit code. A phone number may be written without +86.',
    send: 'Send a code',
    sent: (to: string) => `If ${to} can sign in here, a code is on its way; it works for 5 minutes. A mail also carries a link that signs in this browser.`,
    code: '6-digit code',
    submit: 'Sign in',
    again: 'Send another code',
    withPassword: 'Sign in with a password',
    linkTitle: 'Sign in from the mail',
    linkHere: 'Sign in to your account in this browser.',
    linkButton: 'Sign in',
    linkElsewhere: 'This link signs in only the browser that asked for the code. Type this code there instead:',
    linkUsed: 'This link was already used or has expired. Ask for a new code.',
  },
  refusals: {
    wrongCredentials: 'Wrong username or password.',
    wrongCode: 'The code is wrong or was already used.',
    locked: 'Too many failed attempts: the account is locked for a while. Try again later.',
    tooMany: 'Too many attempts. Wait a minute and try again.',
    stepExpired: 'This sign-in has expired or had too many tries. Sign in again.',
    disabled: 'This account is disabled.',
    unverified: 'Verify your email address first: follow the link in the mail we sent.',
    enrolFirst: 'This account must set up two-step verification first: sign in on the account page and set it up.',
    formExpired: 'This page expired. Please try again.',
    unavailable: 'The service is unavailable for a moment. Try again shortly.',
    failed: 'Something went wrong. Try again later.',
    wrongPassword: 'Wrong password.',
    badInput: 'Some of what was entered is not valid.',
    stepUpNeeded:
      'This change needs you to confirm it is you: your password, and a code when an authenticator app is set up. With passkeys only, sign in again with your passkey first.',
    lastFactor: 'This account must keep at least one second factor.',
    factorState: 'Two-step verification is not in a state that allows this.',
    noAccess: 'This account may not do this.',
    notFound: 'There is nothing here.',
    emailTaken: 'Another account already uses this email address.',
    phoneTaken: 'Another account has already verified this phone number.',
    wrongSignInCode: 'The code is wrong or has expired. Ask for a new one if it keeps failing.',
    passkeyFailed: 'The passkey could not be verified.',
    upstreamFailed: 'The sign-in with that provider could not be completed. Start again.',
    upstreamUnkeyed:
      "This provider did not say who you are in a way this site can keep (WeChat gave no unionid). The site's operator must bind its WeChat app to a WeChat Open Platform account.",
    linkRequired: 'An account with this email address already exists. Sign in to it to link this provider.',
    upstreamNotAllowed: 'This provider cannot be used to sign in here with this account.',
    lastWayIn: 'This is the last way to sign in to this account: set a password or link another provider first.',
  } satisfies Record<Refusal, string>,
  page: {
    switchLang: '中文',
    back: 'Back',
  },
  /** A session's device as people name it (shared/html/device.ts), on every page that lists sessions. */
  device: {
    named: (browser: string, os: string) => `${browser} on ${os}`,
    unknown: 'An unknown device',
  },
};

/** The shared words, in both languages. */
export type CommonTexts = typeof en;

const zh: CommonTexts = {
  signIn: {
    title: '登录',
    login: '用户名或邮箱',
    password: '密码',
    submit: '登录',
    passkey: '使用通行密钥登录',
    cancel: '取消',
    withProvider: (name: string) => `使用 ${name} 登录`,
    providers: '或使用以下方式登录',
  },
  secondStep: {
    title: '两步验证',
    intro: '请输入身份验证器应用显示的 6 位验证码，或者一个恢复码。',
    code: '验证码或恢复码',
    submit: '验证',
    passkey: '改用通行密钥',
  },
  code: {
    instead: '改用验证码登录',
    title: '验证码登录',
    to: '手机号或邮箱',
    toHint: '我们会通过短信或邮件发送 6 位验证码。手机号可以不写 +86。',
    send: '发送验证码',
    sent: (to) => `如果 ${to} 可以在此登录，验证码已发送，5 分钟内有效。邮件中还附有一个链接，可在本浏览器中直接登录。`,
    code: '6 位验证码',
    submit: '登录',
    again: '重新发送验证码',
    withPassword: '使用密码登录',
    linkTitle: '通过邮件登录',
    linkHere: '在此浏览器中登录您的账户。',
    linkButton: '登录',
    linkElsewhere: '此链接只能在请求验证码的浏览器中登录。请在那里输入以下验证码：',
    linkUsed: '此链接已使用或已过期，请重新获取验证码。',
  },
  refusals: {
    wrongCredentials: '用户名或密码错误。',
    wrongCode: '验证码错误或已使用。',
    locked: '失败次数过多，账户已暂时锁定，请稍后再试。',
    tooMany: '尝试次数过多，请一分钟后再试。',
    stepExpired: '此次登录已过期或尝试次数过多，请重新登录。',
    disabled: '此账户已停用。',
    unverified: '请先验证邮箱：请点击我们发送的邮件中的链接。',
    enrolFirst: '此账户必须先启用两步验证：请在账户页面登录并完成设置。',
    formExpired: '页面已过期，请重试。',
    unavailable: '服务暂时不可用，请稍后再试。',
    failed: '出错了，请稍后再试。',
    wrongPassword: '密码错误。',
    badInput: '填写的内容有误。',
    stepUpNeeded: '此更改需要确认是您本人：请输入密码（已启用身份验证器时还需验证码）。仅使用通行密钥的账户请先用通行密钥重新登录。',
    lastFactor: '此账户必须保留至少一种两步验证方式。',
    factorState: '两步验证当前的状态不允许此操作。',
    noAccess: '此账户无权进行此操作。',
    notFound: '这里什么也没有。',
    emailTaken: '此邮箱地址已被其他账户使用。',
    phoneTaken: '此手机号已被其他账户验证。',
    wrongSignInCode: '验证码错误或已过期。如仍无法登录，请重新获取验证码。',
    passkeyFailed: '通行密钥验证失败。',
    upstreamFailed: '无法完成通过该身份提供方的登录，请重新开始。',
    upstreamUnkeyed: '该身份提供方未返回可长期识别您的标识（微信未返回 unionid）。请本站管理员将其微信应用绑定到微信开放平台账号。',
    linkRequired: '已有账户使用此邮箱地址。请先登录该账户以关联此身份提供方。',
    upstreamNotAllowed: '此身份提供方不能用于以此账户在此登录。',
    lastWayIn: '这是此账户最后一种登录方式：请先设置密码或关联其他身份提供方。',
  },
  page: {
    switchLang: 'English',
    back: '返回',
  },
  device: {
    named: (browser, os) => `${os} 上的 ${browser}`,
    unknown: '未知设备',
  },
};

export const COMMON: Record<Lang, CommonTexts> = { en, zh };
