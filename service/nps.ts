// NPS answers from the survey page: the signed link is checked (forged, altered or expired links
// are refused), the answer is validated (every bad field named), stored once per survey (a second
// answer to the same link is refused: single use) and told to the customer's year, which gives a
// detractor's agent a call task (and the manager a note) and asks a promoter for a referral.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { describeIssues } from '../plan/customer';
import { customerWorkflowId, parseTouchKey } from '../plan/ids';
import { npsGroup } from '../plan/year-state';
import type { Db } from '../stores';
import { verifySurveyToken, type SurveyClaims } from '../lib/survey-link';
import { npsAnsweredSignal } from '../workflows/messages';
import { ValidationError } from './errors';

/** The documents' three questions: 0-10 likelihood to recommend, why, what would earn a 10. */
export const npsAnswerSchema = z
  .object({
    score: z.coerce.number({ message: 'expected a whole number from 0 to 10' }).int('expected a whole number from 0 to 10').min(0, 'expected a whole number from 0 to 10').max(10, 'expected a whole number from 0 to 10'),
    why: z.string().trim().max(2000, 'expected at most 2000 characters').optional(),
    toTen: z.string().trim().max(2000, 'expected at most 2000 characters').optional(),
  })
  .strip();
export type NpsAnswerInput = z.input<typeof npsAnswerSchema>;

/** The link is not one plan33 signed, was altered, has expired, or was used already. */
export class SurveyLinkError extends Error {
  override name = 'SurveyLinkError';
  constructor(readonly why: 'invalid' | 'expired' | 'answered') {
    super({ invalid: 'this survey link is not valid', expired: 'this survey link has expired', answered: 'this survey was answered already' }[why]);
  }
}

/** The survey a link names, if it is valid, unexpired and not answered yet. */
export async function openSurvey(db: Db, secret: string | undefined, token: string, nowMs = Date.now()): Promise<SurveyClaims> {
  const check = secret ? verifySurveyToken(secret, token, nowMs) : ({ ok: false, why: 'invalid' } as const);
  if (!check.ok) throw new SurveyLinkError(check.why);
  const answered = await db.selectFrom('nps_responses').select('survey_id').where('survey_id', '=', check.claims.surveyId).executeTakeFirst();
  if (answered) throw new SurveyLinkError('answered');
  return check.claims;
}

/**
 * Stores the answer once and signals the customer's year, in one transaction: if the signal
 * cannot be given, nothing is stored and the customer may send again; a second answer to the
 * same survey finds the row and is refused.
 */
export async function answerSurvey(client: Client, db: Db, secret: string | undefined, token: string, raw: unknown, nowMs = Date.now()) {
  const claims = await openSurvey(db, secret, token, nowMs);
  const parsed = npsAnswerSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.error));
  const answer = { ...parsed.data, why: parsed.data.why || undefined, toTen: parsed.data.toTen || undefined };
  const answeredAt = new Date(nowMs).toISOString();
  const key = parseTouchKey(claims.surveyId)!;
  return db.transaction().execute(async (tx) => {
    const person = await tx.selectFrom('customers').select(['plan']).where('customer_id', '=', claims.customerId).executeTakeFirst();
    const stored = await tx
      .insertInto('nps_responses')
      .values({ survey_id: claims.surveyId, customer_id: claims.customerId, plan: person?.plan ?? 'client-for-life', plan_year: key.planYear, score: answer.score, why: answer.why ?? null, to_ten: answer.toTen ?? null, language: claims.lang, answered_at: answeredAt })
      .onConflict((oc) => oc.column('survey_id').doNothing())
      .returning('survey_id')
      .executeTakeFirst();
    if (!stored) throw new SurveyLinkError('answered');
    let toldTheYear = true;
    try {
      await client.workflow.getHandle(customerWorkflowId(claims.customerId)).signal(npsAnsweredSignal, { surveyId: claims.surveyId, score: answer.score, ...(answer.why ? { why: answer.why } : {}), ...(answer.toTen ? { toTen: answer.toTen } : {}), answeredAt });
    } catch (err) {
      // The plan ended since (the customer was lost): the answer still counts in the reports.
      if (!(err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5)) throw err;
      toldTheYear = false;
    }
    return { surveyId: claims.surveyId, customerId: claims.customerId, lang: claims.lang, score: answer.score, group: npsGroup(answer.score), toldTheYear };
  });
}
