/**
 * What Gatehouse mails and texts, Chinese and English in one message (a mail
 * goes to an address, not a browser with a language): the reset mail's
 * default, verification, and the security notice a factor change sends. The
 * core sends them; the words live here with the pages' (one tone: 您, 账户).
 */

/** The reset mail, until RESET_MAIL_SUBJECT / RESET_MAIL_TEXT say otherwise: `{link}`, `{token}`, `{minutes}` are replaced. */
export const RESET_MAIL = {
  subject: '重置密码 / Reset your password',
  text:
    '您好，\n\n请打开以下链接重置密码（{minutes} 分钟内有效，只能使用一次）：\n{link}\n\n' +
    'Hello,\n\nOpen this link to reset your password (valid for {minutes} minutes, once):\n{link}\n\n' +
    'Reset token: {token}\n\n如果这不是您本人的操作，请忽略本邮件。 If you did not ask for this, ignore this mail.\n',
};

/** The verification mail: a link and a 6-digit code. */
export function verificationMail(link: string, code: string, hours: number) {
  return {
    subject: '验证邮箱 / Verify your email address',
    text:
      `您好，\n\n请打开以下链接验证您的邮箱（${hours} 小时内有效）：\n${link}\n\n或在应用中输入验证码：${code}\n\n` +
      `Hello,\n\nOpen this link to verify your email address (valid for ${hours} hours):\n${link}\n\nor enter this code in the app: ${code}\n\n` +
      '如果这不是您本人的操作，请忽略本邮件。 If you did not ask for this, ignore this mail.\n',
  };
}

/** An invitation to an organisation: the link opens the hosted page that signs in (or signs up) and accepts. */
export function invitationMail(organization: string, link: string, days: number) {
  return {
    subject: `加入 ${organization} 的邀请 / Invitation to join ${organization}`,
    text:
      `您好，\n\n您被邀请加入组织「${organization}」。请打开以下链接登录或注册后接受邀请（${days} 天内有效，只能使用一次）：\n${link}\n\n` +
      `Hello,\n\nYou are invited to join ${organization}. Open this link to sign in or create an account and accept (valid for ${days} days, once):\n${link}\n\n` +
      '如果您不认识邀请人，请忽略本邮件。 If you do not know who invited you, ignore this mail.\n',
  };
}

/** The verification text message. */
export const verificationSms = (code: string) => `验证码 ${code}（24 小时内有效）。Your verification code: ${code}`;

/** A sign-in code by text. */
export const signInSms = (code: string, minutes: number) => `登录验证码 ${code}（${minutes} 分钟内有效，请勿告诉他人）。Your sign-in code: ${code}`;

/** A sign-in code by mail, with the link to the page that signs in the browser that asked (when there is one). */
export function signInMail(link: string | null, code: string, minutes: number) {
  return {
    subject: `登录验证码 ${code} / Your sign-in code`,
    text:
      `您好，\n\n您的登录验证码是：${code}（${minutes} 分钟内有效，只能使用一次）。\n` +
      (link ? `也可以在请求验证码的浏览器中打开以下链接登录：\n${link}\n` : '') +
      `\nHello,\n\nYour sign-in code is: ${code} (valid for ${minutes} minutes, once).\n` +
      (link ? `Or open this link in the browser where you asked for it:\n${link}\n` : '') +
      '\n如果这不是您本人的操作，请忽略本邮件。 If you did not ask for this, ignore this mail.\n',
  };
}

/** What changed, as the owner's notice names it. */
export type FactorNotice = { kind: 'totp' | 'passkey'; change: 'added' | 'removed' };

const FACTOR_NAMES = { totp: ['身份验证器', 'an authenticator app'], passkey: ['通行密钥', 'a passkey'] } as const;

/** The mail an account's owner gets when a second factor is added or removed, whoever did it. */
export function factorNotice({ kind, change }: FactorNotice): { subject: string; text: string } {
  const [zh, en] = FACTOR_NAMES[kind];
  const zhDone = change === 'added' ? `您的账户添加了${zh}作为两步验证方式。` : `您的账户移除了${zh}（两步验证方式）。`;
  const enDone = change === 'added' ? `${en} was added to your account as a second factor.` : `${en} was removed from your account's second factors.`;
  return {
    subject: '账户安全提醒 / Security notice',
    text:
      `您好，\n\n${zhDone}如果这不是您本人的操作，请立即修改密码并联系管理员。\n\n` +
      `Hello,\n\n${enDone} If this was not you, change your password now and contact your administrator.\n`,
  };
}

/** The mail superusers get when an endpoint was disabled after failing for a day (`id`, `url` of the endpoint). */
export function endpointDisabledNotice(id: string, url: string, hours: number): { subject: string; text: string } {
  return {
    subject: 'Webhook 端点已停用 / A webhook endpoint was disabled',
    text:
      `您好，\n\nWebhook 端点 ${id}（${url}）已连续 ${hours} 小时投递失败，已被停用，不再接收事件。` +
      `修复接收端后，可用 gatehouse webhooks enable ${id} 或管理 API（POST /api/admin/webhooks/${id}/enable）重新启用。\n\n` +
      `Hello,\n\nEvery delivery to the webhook endpoint ${id} (${url}) has failed for ${hours} hours, so it was disabled: it gets no new events. ` +
      `Once the receiver is fixed, enable it again with gatehouse webhooks enable ${id} or the staff API (POST /api/admin/webhooks/${id}/enable).\n`,
  };
}
