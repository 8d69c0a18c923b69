// The customer's own preferences (the preference page, api/web/preferences.ts): read from the
// running year's status, changed through the year's own messages. Consent per channel goes by
// opt-out / opt-in signals (the same facts one-click unsubscribe and STOP record); the rest of the
// profile (pause until, language, household) by the validated `updateProfile` update, sent first
// and carrying the new consent too, so the signals that follow can never be overwritten by it.
import { isGrpcDeadlineError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { channelSchema, describeIssues, reachableChannels, type Channel, type Consent, type Customer, type CustomerInput } from '../plan/customer';
import { DATE_RANGE_MESSAGE, isDateInRange, isRealDate } from '../plan/dates';
import { customerWorkflowId } from '../plan/ids';
import * as m from '../workflows/messages';
import { NotFoundError, ValidationError } from './errors';
import { changeConsent, getStatus } from './operations';

export type PreferenceLanguage = 'en' | 'ar';

export interface Preferences {
  customerId: string;
  firstName: string;
  /** The customer's language family (their locale `ar*` is Arabic). */
  language: PreferenceLanguage;
  consent: Consent;
  /** The customer's `doNotContactUntil` (YYYY-MM-DD, a local day), if they asked for a break. */
  pauseUntil?: string;
  household: boolean;
  /** Which contact details the business holds (the page says so; it never shows them). */
  has: { email: boolean; phone: boolean; address: boolean };
}

const CHANNELS = channelSchema.options;

export const preferencesInputSchema = z
  .object({
    consent: z.object({ email: z.boolean(), sms: z.boolean(), postal: z.boolean(), phone: z.boolean() }).strict(),
    /** Empty: no pause. */
    pauseUntil: z.string().trim().refine((s) => s === '' || isRealDate(s), 'expected a real date as YYYY-MM-DD').refine((s) => s === '' || !isRealDate(s) || isDateInRange(s), DATE_RANGE_MESSAGE).optional(),
    language: z.enum(['en', 'ar'], { message: 'expected en or ar' }),
    household: z.boolean().optional(),
  })
  .strict();
export type PreferencesInput = z.input<typeof preferencesInputSchema>;

const languageOf = (locale: string): PreferenceLanguage => (locale.startsWith('ar') ? 'ar' : 'en');

function preferencesOf(status: m.CustomerStatus): Preferences {
  const c = status.customer;
  return {
    customerId: c.id,
    firstName: c.name.first,
    language: languageOf(c.locale),
    consent: { ...c.consent },
    ...(c.doNotContactUntil ? { pauseUntil: c.doNotContactUntil } : {}),
    household: c.household === true,
    has: { email: Boolean(c.email), phone: Boolean(c.phone), address: Boolean(c.address) },
  };
}

/** A plan that was cancelled (the customer was lost) or handed over is no one's to change here. */
async function runningStatus(client: Client, customerId: string): Promise<m.CustomerStatus> {
  const status = await getStatus(client, customerId);
  if (status.state === 'cancelled' || status.state === 'converted') throw new NotFoundError(`the plan of customer ${customerId} ended`);
  return status;
}

/** The customer's current choices. NotFoundError when there is no plan, or it ended. */
export async function readPreferences(client: Client, customerId: string): Promise<Preferences> {
  return preferencesOf(await runningStatus(client, customerId));
}

/** The workflow validator's "customer.<field>: message" in the page's own field names. */
const FIELD_OF: Record<string, string> = { doNotContactUntil: 'pauseUntil', locale: 'language', household: 'household', consent: 'consent' };
function pageProblems(message: string): string[] {
  return message.split('; ').map((p) => {
    const match = /^customer\.([A-Za-z]+)[^:]*: (.*)$/.exec(p);
    return match && FIELD_OF[match[1]!] ? `${FIELD_OF[match[1]!]}: ${match[2]}` : p;
  });
}

async function updateProfile(client: Client, customerId: string, customer: CustomerInput): Promise<void> {
  const handle = client.workflow.getHandle(customerWorkflowId(customerId));
  // One update id for every attempt: a retry after a lost answer applies it once.
  const updateId = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      await client.connection.withDeadline(Date.now() + 15_000, () => handle.executeUpdate(m.updateProfileUpdate, { args: [customer], updateId }));
      return;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new ValidationError(pageProblems((err.cause as Error | undefined)?.message ?? err.message));
      if ((err as { code?: number }).code === 5 || (err as Error).name === 'WorkflowNotFoundError') throw new NotFoundError(`no running plan for customer ${customerId}`);
      if (attempt >= 2 || !isGrpcDeadlineError(err)) throw err;
    }
  }
}

export interface SavedPreferences {
  /** What changed: `consent.sms`, `pauseUntil`, `language`, `household`. */
  changed: string[];
  preferences: Preferences;
}

/**
 * Applies the customer's choices: validated first (every bad field named, nothing sent), then the
 * profile update (refused by the year's validator with the field named), then one opt-out or
 * opt-in signal per channel that changed. Waits (up to `waitMs`) until the year's status shows the
 * new consent, so the page the customer sees next shows what they chose.
 */
export async function savePreferences(client: Client, customerId: string, raw: unknown, opts: { waitMs?: number } = {}): Promise<SavedPreferences> {
  const parsed = preferencesInputSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.error));
  const input = parsed.data;
  const status = await runningStatus(client, customerId);
  const current: Customer = status.customer;
  const changedChannels = CHANNELS.filter((ch: Channel) => current.consent[ch] !== input.consent[ch]);

  const pauseUntil = input.pauseUntil || undefined;
  const locale = languageOf(current.locale) === input.language ? current.locale : input.language;
  // Household sharing is about printed cards to an address: without one there is nothing to choose.
  const household = current.address ? input.household === true : current.household;
  const changed: string[] = [
    ...changedChannels.map((ch) => `consent.${ch}`),
    ...(pauseUntil !== current.doNotContactUntil ? ['pauseUntil'] : []),
    ...(locale !== current.locale ? ['language'] : []),
    ...((household ?? false) !== (current.household ?? false) ? ['household'] : []),
  ];

  if (changed.some((c) => !c.startsWith('consent.'))) {
    // The new consent when someone can still be reached with it; else the current one (the
    // opt-outs below then stop everything, as one-click unsubscribe does), so that a customer who
    // opts out of every channel still gets their other choices kept.
    const consent = reachableChannels({ ...current, consent: input.consent }).length > 0 || reachableChannels(current).length === 0 ? input.consent : current.consent;
    const { doNotContactUntil: _old, household: _h, ...rest } = current;
    void _old;
    void _h;
    await updateProfile(client, customerId, { ...rest, locale, consent, ...(pauseUntil ? { doNotContactUntil: pauseUntil } : {}), ...(household !== undefined ? { household } : {}) });
  }
  for (const channel of changedChannels) await changeConsent(client, customerId, { channel, reason: 'the customer, on the preference page' }, input.consent[channel] ? 'opt-in' : 'opt-out');

  let now = status;
  const deadline = Date.now() + (opts.waitMs ?? 5_000);
  for (;;) {
    now = await getStatus(client, customerId);
    if (CHANNELS.every((ch) => now.customer.consent[ch] === input.consent[ch]) || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { changed, preferences: preferencesOf(now) };
}
