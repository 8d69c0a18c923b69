// The NPS survey's signed link: the token names one person and one survey (the survey touch's
// key), the page's language and when it expires, signed for this purpose only (lib/link-token.ts:
// an unsubscribe or source token is not accepted here). Single use is the store's part: one
// answer per survey id (nps_responses' primary key).
import { z } from 'zod';
import { customerIdSchema } from '../plan/customer';
import { linkClaims, linkUrl, signLinkToken } from './link-token';

/** A survey link works this many days after the survey was due. */
export const SURVEY_VALID_DAYS = 30;

const claimsSchema = z
  .object({
    c: customerIdSchema,
    s: z.string().regex(/^customer-[A-Za-z0-9._-]{1,64}\.y\d{1,4}\.t\d{1,5}$/),
    l: z.enum(['en', 'ar']),
    e: z.number().int().positive(),
  })
  .strict();

export interface SurveyClaims {
  customerId: string;
  /** The survey touch's key, e.g. customer-cust-0001.y1.t7. */
  surveyId: string;
  lang: 'en' | 'ar';
  /** ms since epoch. */
  expiresAt: number;
}

export function surveyToken(secret: string, claims: SurveyClaims): string {
  return signLinkToken(secret, 'survey', { c: claims.customerId, s: claims.surveyId, l: claims.lang, e: Math.floor(claims.expiresAt / 1000) });
}

export type SurveyTokenCheck = { ok: true; claims: SurveyClaims } | { ok: false; why: 'invalid' | 'expired' };

/** The claims of a valid, unexpired token; `invalid` for anything forged, altered or malformed. */
export function verifySurveyToken(secret: string, token: string, nowMs: number): SurveyTokenCheck {
  const parsed = claimsSchema.safeParse(linkClaims(secret, 'survey', token));
  if (!parsed.success) return { ok: false, why: 'invalid' };
  const claims: SurveyClaims = { customerId: parsed.data.c, surveyId: parsed.data.s, lang: parsed.data.l, expiresAt: parsed.data.e * 1000 };
  return claims.expiresAt <= nowMs ? { ok: false, why: 'expired' } : { ok: true, claims };
}

/**
 * The survey page's link for a survey touch: valid SURVEY_VALID_DAYS after the touch was due
 * (derived from the touch, not the clock, so a retried send carries the same link).
 */
export function surveyUrl(config: { baseUrl: string; secret: string }, req: { key: string; customerId: string; locale: string; dueAt: string }): string {
  const claims: SurveyClaims = { customerId: req.customerId, surveyId: req.key, lang: req.locale.startsWith('ar') ? 'ar' : 'en', expiresAt: Date.parse(req.dueAt) + SURVEY_VALID_DAYS * 86_400_000 };
  return linkUrl(config.baseUrl, `/survey?t=${surveyToken(config.secret, claims)}`);
}
