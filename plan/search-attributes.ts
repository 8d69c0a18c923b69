// The custom search attributes of PRODUCT.md: defined once, used by the workflow (upserts),
// the client (start, queries), `npm start` and the tests (registration).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CustomerId = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const TouchPlan = defineSearchAttributeKey('TouchPlan', SearchAttributeType.KEYWORD);
export const PlanYear = defineSearchAttributeKey('PlanYear', SearchAttributeType.INT);
export const TouchesDone = defineSearchAttributeKey('TouchesDone', SearchAttributeType.INT);
export const NextTouchAt = defineSearchAttributeKey('NextTouchAt', SearchAttributeType.DATETIME);
export const NextTouchKind = defineSearchAttributeKey('NextTouchKind', SearchAttributeType.KEYWORD);
export const AssignedAgent = defineSearchAttributeKey('AssignedAgent', SearchAttributeType.KEYWORD);

/** Agents who hold an open call task in this workflow (the owner, or who covers): `plan33 tasks --agent`. */
export const CallAssignees = defineSearchAttributeKey('CallAssignees', SearchAttributeType.KEYWORD_LIST);

/** A lead's stage (new, contacted, qualified, nurture, deal, lost) and where it came from. */
export const LeadStage = defineSearchAttributeKey('LeadStage', SearchAttributeType.KEYWORD);
export const LeadSource = defineSearchAttributeKey('LeadSource', SearchAttributeType.KEYWORD);

/** The business's own segment (set at the deal) and the value class the daily refresh computed (`vip`, `a`, `b`, `c`). */
export const CustomerSegment = defineSearchAttributeKey('CustomerSegment', SearchAttributeType.KEYWORD);
export const ValueClass = defineSearchAttributeKey('ValueClass', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [CustomerId, TouchPlan, PlanYear, TouchesDone, NextTouchAt, NextTouchKind, AssignedAgent, CallAssignees, LeadStage, LeadSource, CustomerSegment, ValueClass];

/** `NAME=Type` pairs as `temporal operator search-attribute create` and start-dev take them. */
export function searchAttributeArgs(): string[] {
  const cli: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int', DATETIME: 'Datetime', TEXT: 'Text', BOOL: 'Bool', DOUBLE: 'Double', KEYWORD_LIST: 'KeywordList' };
  return SEARCH_ATTRIBUTES.map((k) => `${k.name}=${cli[k.type]}`);
}
