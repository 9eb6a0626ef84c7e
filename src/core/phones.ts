import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';
import { fail } from './errors.ts';

/** PHONE_DEFAULT_REGION and SMS_ALLOWED_COUNTRY_CODES. */
export interface PhoneSettings {
  /** ISO 3166 region a number written without `+` belongs to (`CN`: `13800138000` is `+8613800138000`). */
  defaultRegion: string;
  /** Calling codes texts may go to (`86`), or `*` for every one: a brake on SMS pumping before any money is spent. */
  allowedCallingCodes: readonly string[] | '*';
}

export const DEFAULT_PHONES: PhoneSettings = { defaultRegion: 'CN', allowedCallingCodes: ['86'] };

/** A number a text can go to: E.164, and its calling code (the SMS budget is kept per calling code). */
export interface TextableNumber {
  e164: string;
  callingCode: string;
}

/** Whether libphonenumber knows this region (PHONE_DEFAULT_REGION is checked with it when settings are read). */
export const isKnownRegion = (region: string): boolean => isSupportedCountry(region);

/**
 * A phone number as typed, in E.164 (`+8613800138000`), or null when it is
 * not a possible number. libphonenumber-js with its default ("min") metadata:
 * the length is checked per country, not the digits themselves, so a newly
 * allocated range is never refused by an old copy of the library (its
 * author's own advice). The matching copy of an account's `phone` (kept beside
 * it, `phone_normalized`) is this; what the client gave stays as given.
 */
export function normalizePhone(raw: string | null | undefined, defaultRegion: string): string | null {
  if (!raw?.trim()) return null;
  const parsed = parsePhoneNumberFromString(raw, defaultRegion as CountryCode);
  return parsed?.isValid() ? parsed.number : null;
}

/** Phone numbers under the installation's settings: normalised for matching, checked before a text is sent. */
export class Phones {
  readonly settings: PhoneSettings;

  constructor(settings: PhoneSettings = DEFAULT_PHONES) {
    this.settings = settings;
  }

  normalize(raw: string | null | undefined): string | null {
    return normalizePhone(raw, this.settings.defaultRegion);
  }

  /**
   * A number a text may be sent to, or VALIDATION_FAILED naming `field`: not
   * a number, or outside SMS_ALLOWED_COUNTRY_CODES (refused before any
   * account is looked at or any budget spent, so the answer tells nothing).
   */
  textable(raw: string | null | undefined, field = 'phone'): TextableNumber {
    const parsed = raw?.trim() ? parsePhoneNumberFromString(raw, this.settings.defaultRegion as CountryCode) : undefined;
    if (!parsed?.isValid()) throw fail('VALIDATION_FAILED', 'not a valid phone number', field);
    const callingCode = parsed.countryCallingCode;
    const allowed = this.settings.allowedCallingCodes;
    if (allowed !== '*' && !allowed.includes(callingCode)) throw fail('VALIDATION_FAILED', `texts are not sent to numbers of +${callingCode}`, field);
    return { e164: parsed.number, callingCode };
  }
}
