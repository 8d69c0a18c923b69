// The agent's inbox and a person's timeline, server-rendered in English and Arabic.
//   GET  /app/inbox                      open call, first-contact and reply tasks, by due time (an agent: their own; a manager: all)
//   GET  /app/people/:id                 the person: status, plans, every touch and why, what comes next, consent, segment, CLV, NPS,
//                                        the open call's context and talking points
//   POST /app/people/:id/<action>        complete | pause | resume | skip | move | referral | opt-out: a confirmed form, CSRF-checked,
//                                        through the service layer; errors shown on the page (role="alert"), nothing half-applied
// An agent opens only their own people (the customer's agent, or a task given to them): anyone else is 404.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CallTask, LeadTask, ReplyTask } from '../../activities/task-sink';
import { DEFAULT_CLV_SETTINGS, type CustomerValue } from '../../plan/clv';
import type { Channel } from '../../plan/customer';
import { DATE_RANGE } from '../../plan/dates';
import { leadOfTask, parseTouchKey } from '../../plan/ids';
import { LEAD_OUTCOMES } from '../../plan/lead';
import type { LeadStatus } from '../../plan/lead-state';
import type { DoneTouch, Touch } from '../../plan/touch';
import { CALL_OUTCOMES, type CustomerStatus } from '../../plan/year-records';
import { NotFoundError, ValidationError } from '../../service/errors';
import { getLead, leadRun } from '../../service/leads';
import * as ops from '../../service/operations';
import { valueOf } from '../../service/value';
import * as web from '../../service/web-actions';
import type { Db } from '../../stores';
import { OVERDUE_AFTER_MS } from '../../stores/reports';
import type { TaskRow } from '../../stores/schema';
import { checkCsrf, isManager, userOf, type WebContext } from './context';
import { csrfField, esc, langOf, localTime, page, sendPage, type Lang, type PageUser } from './layout';

// ---- words ----

const KINDS = {
  en: { newsletter: 'Newsletter', 'holiday-card': 'Holiday card', call: 'Call', 'follow-up-letter': 'Follow-up letter', 'personal-card': 'Personal card', 'give-away': 'Give-away', 'value-added': 'Value-added', 'remembrance-card': 'Remembrance card', 'prospect-letter': 'Prospect letter', 'reactivation-letter': 'Reactivation letter', 'nps-survey': 'NPS survey', 'referral-ask': 'Referral ask' },
  // As the emails say it where they overlap (activities/copy.ts: نشرة، تهنئة، هدية، هدية مفيدة، توصية).
  ar: { newsletter: 'النشرة', 'holiday-card': 'بطاقة تهنئة', call: 'مكالمة', 'follow-up-letter': 'رسالة متابعة', 'personal-card': 'تهنئة خاصة', 'give-away': 'هدية', 'value-added': 'هدية مفيدة', 'remembrance-card': 'بطاقة ذكرى', 'prospect-letter': 'رسالة تعريفية', 'reactivation-letter': 'رسالة تجديد التواصل', 'nps-survey': 'استبيان الرأي', 'referral-ask': 'طلب توصية' },
} as const satisfies Record<Lang, Record<string, string>>;

const CHANNELS = {
  en: { email: 'Email', sms: 'SMS', postal: 'Post', phone: 'Phone', none: 'No channel' },
  ar: { email: 'البريد الإلكتروني', sms: 'الرسائل النصية', postal: 'البريد', phone: 'الهاتف', none: 'لا قناة' },
} as const;

const W = {
  en: {
    inbox: 'Inbox',
    inboxIntro: "Today's and overdue calls, first contacts for new leads and replies, the earliest first.",
    nothing: 'Nothing to do: no open tasks.',
    counts: (n: number, o: number) => `${n} open ${n === 1 ? 'task' : 'tasks'}, ${o} overdue`,
    due: 'Due',
    task: 'Task',
    person: 'Person',
    phone: 'Phone',
    agent: 'Agent',
    state: 'State',
    overdue: 'Overdue',
    taskKinds: { call: 'Call', 'first-contact': 'First contact (new lead)', reply: 'Reply to answer', 'contact-later': 'Contact again (lead)', 'sms-reply': 'SMS reply' },
    taskStates: { open: 'open', reminded: 'reminded', escalated: 'escalated', done: 'done' },
    notFound: 'Not found',
    notFoundText: 'There is no such person, or they are not one of yours.',
    back: 'Back to the inbox',
    about: 'About',
    plan: 'Plan',
    year: 'Year',
    status: 'Status',
    zone: 'Time zone',
    email: 'Email',
    segment: 'Segment',
    valueClass: 'Value class',
    clv: 'Customer lifetime value',
    clvText: (v: CustomerValue, fmt: (n: number) => string) => `${fmt(v.clv)} ${v.currency} (with referrals ${fmt(v.referralAdjustedClv)}; ${v.deals} ${v.deals === 1 ? 'deal' : 'deals'})`,
    none: 'none',
    holdout: 'In the holdout group: only the survey goes out.',
    referrals: 'Referrals',
    openCall: 'Open call',
    dueAt: 'Due',
    lastTouches: 'Last touches',
    earlierCalls: 'Earlier calls and notes',
    notes: 'Notes',
    talkingPoints: 'Talking points',
    nothingYet: 'nothing yet',
    complete: 'Complete the call',
    outcome: 'Outcome',
    callNotes: 'Notes from the call',
    callBackOn: 'Call-back date (when the outcome is call-back)',
    contactOn: 'Contact-again date (when the outcome is contact-later)',
    confirm: 'I confirm',
    leadTask: 'Open task',
    reportLead: 'Report the outcome',
    next: 'What comes next',
    noNext: 'Nothing more is planned this year.',
    when: 'When',
    touch: 'Touch',
    channel: 'Channel',
    note: 'Note',
    why: 'Why',
    who: 'Who',
    done: 'Touches done',
    thisYear: (y: number, p: string) => `Year ${y}: ${p}`,
    noneDone: 'No touch yet.',
    earlier: (n: number) => `${n} earlier`,
    later: (n: number) => `${n} more to come`,
    timesIn: (zone: string) => `Local times (${zone})`,
    calls: 'Calls',
    given: 'Given',
    completed: 'Completed',
    plans: 'Plans',
    consent: 'Consent per channel',
    consentCol: 'Consent',
    detail: 'Contact detail',
    yes: 'yes',
    no: 'no',
    nps: 'NPS answers',
    noNps: 'No answer yet.',
    score: 'Score',
    toTen: 'What would make it a 10',
    replies: 'SMS replies',
    lead: 'Lead',
    stage: 'Stage',
    source: 'Source',
    needs: 'Looking for',
    captured: 'Captured',
    stages: 'Stages',
    actions: 'Actions',
    pause: 'Pause the plan',
    pauseReason: 'Reason for the pause (optional)',
    pauseGo: 'Pause',
    resume: 'Resume the plan',
    resumeGo: 'Resume',
    skip: 'Skip a touch',
    skipWhich: 'Touch to skip',
    skipReason: 'Reason',
    skipGo: 'Skip it',
    move: 'Move a touch',
    moveWhich: 'Touch to move',
    moveAt: (zone: string) => `New date and time (${zone})`,
    moveGo: 'Move it',
    referral: 'Record a referral',
    referralKind: 'What happened',
    referralArrived: 'Someone they referred arrived',
    referralPledged: 'They promised a referral',
    referralId: 'Referral id (when someone arrived)',
    referredName: 'Who was referred (optional)',
    referralNote: 'Note (optional)',
    referralGo: 'Record',
    optOut: 'Opt a channel out',
    optOutChannel: 'Channel',
    optOutReason: 'Reason (optional)',
    optOutGo: 'Opt out',
    noActions: 'This lead is on the 8x8: report outcomes on its tasks; the plan actions come with the general 33 or the deal.',
    ended: 'The plan has ended: nothing more can be changed.',
    failed: 'Nothing was changed:',
    confirmMissing: 'confirm: tick "I confirm" to go ahead',
    ok: {
      complete: (outcome: string, next: string) => `Call completed (${outcome}). Next: ${next}`,
      letter: (title: string, when: string) => `The follow-up letter “${title}” goes out on ${when}.`,
      pause: 'Paused: every touch is held until the plan is resumed.',
      resume: 'Resumed: touches that fell due while paused are skipped.',
      skip: (t: string) => `Skipped: ${t}.`,
      move: (t: string, when: string) => `Moved: ${t}, now ${when}.`,
      referral: 'Referral recorded: the customer is an advocate now, with a thank-you.',
      pledge: 'Pledge recorded: the customer is an advocate now, with a thank-you.',
      optOut: (c: string) => `${c}: opted out. It is not used again until the customer opts in.`,
    },
    waitsForCall: (k: number) => `waits until call ${k} is reached`,
    held: 'held',
    dropped: 'dropped',
    firstDue: 'first due',
    states: { starting: 'starting', running: 'running', paused: 'paused', cancelled: 'ended (lost)', 'year-complete': 'year complete', converted: 'converted to a customer', qualified: 'qualified', ended: 'ended' },
    outcomes: { sent: 'sent', skipped: 'skipped', failed: 'failed' },
    callOutcomes: { reached: 'reached', 'not-interested': 'not interested', 'no-answer': 'no answer', 'call-back': 'call back' },
    leadOutcomes: { 'positive-interest': 'positive interest', negative: 'negative', 'no-response': 'no response', 'contact-later': 'contact later' },
    plansNames: { 'client-for-life': 'Client for life', advocate: 'Advocate', 'general-33': 'General 33', reactivation: 'Reactivation', '8x8': '8x8 (lead)' },
    choose: 'Choose…',
    sep: ', ',
    at: 'at',
  },
  ar: {
    inbox: 'المهام',
    inboxIntro: 'مكالمات اليوم والمتأخرة، والتواصل الأول مع العملاء المحتملين الجدد، والردود، الأقدم أولًا.',
    nothing: 'لا شيء الآن: لا مهام مفتوحة.',
    counts: (n: number, o: number) => `مهام مفتوحة: ${n}، متأخرة: ${o}`,
    due: 'الموعد',
    task: 'المهمة',
    person: 'الشخص',
    phone: 'الهاتف',
    agent: 'الممثل',
    state: 'الحالة',
    overdue: 'متأخرة',
    taskKinds: { call: 'مكالمة', 'first-contact': 'تواصل أول (عميل محتمل جديد)', reply: 'رد بانتظارك', 'contact-later': 'تواصل مجددًا (عميل محتمل)', 'sms-reply': 'رد برسالة نصية' },
    taskStates: { open: 'مفتوحة', reminded: 'أُرسل تذكير', escalated: 'صُعّدت', done: 'منجزة' },
    notFound: 'غير موجود',
    notFoundText: 'لا يوجد شخص بهذا المعرّف، أو أنه ليس من عملائك.',
    back: 'العودة إلى المهام',
    about: 'نبذة',
    plan: 'الخطة',
    year: 'السنة',
    status: 'الحالة',
    zone: 'المنطقة الزمنية',
    email: 'البريد الإلكتروني',
    segment: 'الشريحة',
    valueClass: 'فئة القيمة',
    clv: 'القيمة الدائمة للعميل',
    clvText: (v: CustomerValue, fmt: (n: number) => string) => `${fmt(v.clv)} ${v.currency} (مع التوصيات ${fmt(v.referralAdjustedClv)}؛ الصفقات: ${v.deals})`,
    none: 'لا يوجد',
    holdout: 'ضمن المجموعة الضابطة: لا يصله إلا الاستبيان.',
    referrals: 'التوصيات',
    openCall: 'مكالمة مفتوحة',
    dueAt: 'الموعد',
    lastTouches: 'آخر ما وصله',
    earlierCalls: 'المكالمات السابقة والملاحظات',
    notes: 'ملاحظات',
    talkingPoints: 'نقاط الحديث',
    nothingYet: 'لا شيء بعد',
    complete: 'إنهاء المكالمة',
    outcome: 'النتيجة',
    callNotes: 'ملاحظات المكالمة',
    callBackOn: 'تاريخ معاودة الاتصال (إن كانت النتيجة معاودة الاتصال)',
    contactOn: 'تاريخ التواصل مجددًا (إن كانت النتيجة التواصل لاحقًا)',
    confirm: 'أؤكد',
    leadTask: 'مهمة مفتوحة',
    reportLead: 'سجّل النتيجة',
    next: 'ما التالي',
    noNext: 'لا شيء آخر مخطط له هذه السنة.',
    when: 'متى',
    touch: 'التواصل',
    channel: 'القناة',
    note: 'ملاحظة',
    why: 'السبب',
    who: 'من',
    done: 'ما تم',
    thisYear: (y: number, p: string) => `السنة ${y}: ${p}`,
    noneDone: 'لا شيء بعد.',
    earlier: (n: number) => `السابقة (${n})`,
    later: (n: number) => `المزيد لاحقًا (${n})`,
    timesIn: (zone: string) => `بالتوقيت المحلي (${zone})`,
    calls: 'المكالمات',
    given: 'أُسندت',
    completed: 'أُنجزت',
    plans: 'الخطط',
    consent: 'الموافقة لكل قناة',
    consentCol: 'الموافقة',
    detail: 'بيانات التواصل',
    yes: 'نعم',
    no: 'لا',
    nps: 'إجابات استبيان الرأي',
    noNps: 'لا إجابة بعد.',
    score: 'الدرجة',
    toTen: 'ما الذي يجعلها 10',
    replies: 'الردود بالرسائل النصية',
    lead: 'عميل محتمل',
    stage: 'المرحلة',
    source: 'المصدر',
    needs: 'يبحث عن',
    captured: 'سُجّل في',
    stages: 'المراحل',
    actions: 'الإجراءات',
    pause: 'إيقاف الخطة مؤقتًا',
    pauseReason: 'سبب الإيقاف (اختياري)',
    pauseGo: 'أوقف مؤقتًا',
    resume: 'استئناف الخطة',
    resumeGo: 'استأنف',
    skip: 'تخطّي تواصل',
    skipWhich: 'التواصل المراد تخطّيه',
    skipReason: 'السبب',
    skipGo: 'تخطَّه',
    move: 'نقل تواصل',
    moveWhich: 'التواصل المراد نقله',
    moveAt: (zone: string) => `التاريخ والوقت الجديدان (${zone})`,
    moveGo: 'انقله',
    referral: 'تسجيل توصية',
    referralKind: 'ماذا حدث',
    referralArrived: 'وصل شخص أوصى به',
    referralPledged: 'وعد بتوصية',
    referralId: 'معرّف التوصية (إن وصل أحد)',
    referredName: 'من أوصى به (اختياري)',
    referralNote: 'ملاحظة (اختياري)',
    referralGo: 'سجّل',
    optOut: 'إلغاء الاشتراك في قناة',
    optOutChannel: 'القناة',
    optOutReason: 'السبب (اختياري)',
    optOutGo: 'ألغِ الاشتراك',
    noActions: 'هذا العميل المحتمل على خطة 8×8: سجّل نتائج مهامه؛ إجراءات الخطة تأتي مع الخطة العامة أو الصفقة.',
    ended: 'انتهت الخطة: لا يمكن تغيير شيء.',
    failed: 'لم يتغيّر شيء:',
    confirmMissing: 'confirm: ضع علامة على «أؤكد» للمتابعة',
    ok: {
      complete: (outcome: string, next: string) => `أُنجزت المكالمة (${outcome}). التالي: ${next}`,
      letter: (title: string, when: string) => `رسالة المتابعة «${title}» تُرسل ${when}.`,
      pause: 'أُوقفت الخطة مؤقتًا: لا يُرسل شيء حتى تُستأنف.',
      resume: 'استُؤنفت الخطة: ما حلّ موعده أثناء الإيقاف يُتخطّى.',
      skip: (t: string) => `تم التخطّي: ${t}.`,
      move: (t: string, when: string) => `تم النقل: ${t}، موعده الآن ${when}.`,
      referral: 'سُجّلت التوصية: أصبح العميل سفيرًا لنا، مع رسالة شكر.',
      pledge: 'سُجّل الوعد بالتوصية: أصبح العميل سفيرًا لنا، مع رسالة شكر.',
      optOut: (c: string) => `${c}: أُلغي الاشتراك، ولن تُستخدم حتى يعيد العميل الاشتراك.`,
    },
    waitsForCall: (k: number) => `تنتظر إتمام المكالمة ${k}`,
    held: 'مؤجل',
    dropped: 'أُسقط',
    firstDue: 'موعده الأول',
    states: { starting: 'تبدأ', running: 'جارية', paused: 'متوقفة مؤقتًا', cancelled: 'انتهت (فُقد العميل)', 'year-complete': 'اكتملت السنة', converted: 'أصبح عميلًا', qualified: 'مؤهَّل', ended: 'انتهت' },
    outcomes: { sent: 'أُرسلت', skipped: 'تُخطّيت', failed: 'فشلت' },
    callOutcomes: { reached: 'تم التواصل', 'not-interested': 'غير مهتم', 'no-answer': 'لا رد', 'call-back': 'معاودة الاتصال' },
    leadOutcomes: { 'positive-interest': 'اهتمام إيجابي', negative: 'سلبي', 'no-response': 'لا استجابة', 'contact-later': 'التواصل لاحقًا' },
    plansNames: { 'client-for-life': 'عميل مدى الحياة', advocate: 'سفير', 'general-33': 'الخطة العامة 33', reactivation: 'إعادة التواصل', '8x8': 'خطة 8×8 (عميل محتمل)' },
    choose: 'اختر…',
    sep: '، ',
    at: 'في',
  },
} as const;

type Words = (typeof W)[Lang];
const pick = <T extends Record<string, string>>(map: T, key: string | undefined): string => (key && key in map ? map[key as keyof T]! : (key ?? ''));
/** Data (names, titles, reasons) inside either direction. */
const bdi = (s: unknown) => `<bdi>${esc(s)}</bdi>`;
/** What the year writes in English (touch titles, reasons, talking points): marked so, for screen readers on an Arabic page. */
const en = (s: unknown) => `<bdi lang="en">${esc(s)}</bdi>`;
/** A local date-time, left to right in either direction (an RTL page would turn 2040-01-04 around). */
const timeAt = (iso: string | undefined, zone: string) => (iso ? `<time dir="ltr" datetime="${esc(iso)}">${esc(localTime(iso, zone))}</time>` : '');
const when = (iso: string | undefined, zone: string) => (iso ? `${timeAt(iso, zone)} <span class="muted">(${esc(zone)})</span>` : '');
/** The same, inside plain text (an <option>): isolated by Unicode marks. */
const atText = (iso: string, zone: string) => `\u2066${localTime(iso, zone)}\u2069`;

const PAGE_STYLE = `<style>
.check{display:flex;gap:.5rem;align-items:center;margin:.5rem 0}.check label{display:inline;margin:0}.check input{width:1.25rem;height:1.25rem}
h2{font-size:1.2rem;margin:1.25rem 0 .5rem}h3{font-size:1.05rem;margin:.75rem 0 .25rem}dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .75rem;margin:0}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
ol.points li,ul.plain li{margin:.2rem 0}summary{cursor:pointer;color:#0b5394;padding:.35rem 0;font-weight:600}.actions{display:grid;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr));gap:.75rem}.actions .card{margin:0}
@media (max-width:40rem){table.stack thead{position:absolute;inset-inline-start:-9999px}table.stack tr{display:block;border:1px solid #d0d0d0;margin:.5rem 0;background:#fff}table.stack td{display:block;border:0;border-bottom:1px solid #eee}table.stack td::before{content:attr(data-label) ": ";font-weight:600}table.stack td:empty{display:none}dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.3rem}}
</style>`;

// ---- the inbox ----

interface InboxRow {
  taskId: string;
  type: TaskRow['type'];
  customerId: string;
  agent: string | null;
  state: TaskRow['state'];
  dueAt: string | undefined;
  givenAt: string | undefined;
  payload: CallTask | ReplyTask | LeadTask;
}

const isoOf = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : undefined);

async function openTasks(db: Db, agent: string | undefined): Promise<InboxRow[]> {
  let q = db
    .selectFrom('tasks')
    .select(['task_id', 'type', 'customer_id', 'agent', 'state', 'due_at', 'given_at', 'payload'])
    .where('type', 'in', ['call', 'reply', 'lead'])
    .where('state', '<>', 'done');
  if (agent) q = q.where('agent', '=', agent);
  const rows = await q.orderBy('due_at', (ob) => ob.asc().nullsLast()).orderBy('task_id').limit(500).execute();
  return rows.map((r) => ({ taskId: r.task_id, type: r.type, customerId: r.customer_id, agent: r.agent, state: r.state, dueAt: isoOf(r.due_at), givenAt: isoOf(r.given_at), payload: r.payload as InboxRow['payload'] }));
}

const isOverdue = (r: { givenAt?: string; dueAt?: string }, nowMs: number) => {
  const since = r.givenAt ?? r.dueAt;
  return since !== undefined && Date.parse(since) < nowMs - OVERDUE_AFTER_MS;
};

function taskKind(p: InboxRow['payload']): keyof Words['taskKinds'] {
  if (p.type === 'call') return 'call';
  if (p.type === 'reply') return 'sms-reply';
  return p.reason === 'first-contact' ? 'first-contact' : p.reason === 'reply' ? 'reply' : 'contact-later';
}

function inboxPage(lang: Lang, user: PageUser, rows: InboxRow[], agentName: (id: string) => string, nowMs: number): string {
  const w = W[lang];
  const manager = isManager(user);
  const overdue = rows.filter((r) => isOverdue(r, nowMs)).length;
  const body = rows.map((r) => {
    const p = r.payload;
    const zone = p.type === 'reply' ? 'UTC' : p.timezone;
    const what = p.type === 'call' ? `${w.taskKinds.call}: ${bdi(p.title)}` : p.type === 'reply' ? `${w.taskKinds['sms-reply']}: “${bdi(p.text.slice(0, 140))}”` : `${w.taskKinds[taskKind(p)]}${p.text ? `: “${bdi(p.text.slice(0, 140))}”` : ''}`;
    const late = isOverdue(r, nowMs) ? ` <span class="overdue">${w.overdue}</span>` : '';
    return `<tr><td data-label="${w.due}">${when(r.dueAt ?? ('dueAt' in p ? p.dueAt : undefined), zone)}${late}</td><td data-label="${w.task}">${what}</td><td data-label="${w.person}"><a href="/app/people/${encodeURIComponent(r.customerId)}?lang=${lang}">${bdi(p.customerName || r.customerId)}</a></td><td data-label="${w.phone}">${p.phone ? `<a href="tel:${esc(p.phone)}" dir="ltr">${esc(p.phone)}</a>` : ''}</td>${manager ? `<td data-label="${w.agent}">${bdi(agentName(r.agent ?? ''))}</td>` : ''}<td data-label="${w.state}">${esc(w.taskStates[r.state])}</td></tr>`;
  });
  const table = rows.length
    ? `<table class="stack"><caption>${esc(w.counts(rows.length, overdue))}</caption><thead><tr><th scope="col">${w.due}</th><th scope="col">${w.task}</th><th scope="col">${w.person}</th><th scope="col">${w.phone}</th>${manager ? `<th scope="col">${w.agent}</th>` : ''}<th scope="col">${w.state}</th></tr></thead><tbody>${body.join('')}</tbody></table>`
    : `<p role="status">${w.nothing}</p>`;
  return page(lang, w.inbox, `<p class="muted">${w.inboxIntro}</p>${table}`, { user, head: PAGE_STYLE });
}

// ---- the person ----

interface Person {
  id: string;
  name: string;
  zone: string;
  ref?: web.YearRef;
  status?: CustomerStatus;
  lead?: LeadStatus;
  leadRow?: { stage: string; agent: string | null; source: string; source_text: string | null; name: string; email: string | null; phone: string | null; created_at: Date };
  customerRow?: { agent: string; plan: string; plan_year: number; state: string; name: string };
  tasks: TaskRow[];
  /** An agent's name from the directory (their id when unknown). */
  agentName(id: string): string;
}

const PERSON_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Everything known about a person (the workflow first, the store for the rest); undefined when nothing is. */
async function loadPerson(ctx: WebContext, id: string): Promise<Person | undefined> {
  if (!PERSON_ID.test(id)) return undefined;
  const [customerRow, leadRow, tasks] = await Promise.all([
    ctx.db.selectFrom('customers').select(['agent', 'plan', 'plan_year', 'state', 'name']).where('customer_id', '=', id).executeTakeFirst(),
    ctx.db.selectFrom('leads').select(['stage', 'agent', 'source', 'source_text', 'name', 'email', 'phone', 'created_at']).where('lead_id', '=', id).executeTakeFirst(),
    ctx.db.selectFrom('tasks').selectAll().where('customer_id', '=', id).where('type', 'in', ['call', 'reply', 'lead']).orderBy('due_at').orderBy('task_id').execute(),
  ]);
  const ref = await web.yearOf(ctx.client, id);
  let status: CustomerStatus | undefined;
  let lead: LeadStatus | undefined;
  try {
    if (ref && !ref.contact) status = await ops.getStatus(ctx.client, id);
    else if (ref) status = ((await getLead(ctx.client, id)) as { year: CustomerStatus }).year;
    else if ((await leadRun(ctx.client, id)) === 'leadJourney') lead = (await getLead(ctx.client, id)) as LeadStatus;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  if (!status && !lead && !customerRow && !leadRow && tasks.length === 0) return undefined;
  const fullName = (n: { first: string; last?: string }) => [n.first, n.last].filter(Boolean).join(' ');
  const name = status ? fullName(status.customer.name) : lead ? fullName(lead.lead.name) : (customerRow?.name ?? leadRow?.name ?? id);
  const zone = status?.customer.timezone ?? lead?.lead.timezone ?? (tasks.map((t) => (t.payload as { timezone?: string }).timezone).find(Boolean)) ?? 'UTC';
  return { id, name, zone, ref, status, lead, leadRow, customerRow, tasks, agentName: (a) => ctx.agents.get(a)?.name ?? a };
}

/** Managers see everyone; an agent, the people whose agent they are or who have a task of theirs. */
function mayOpen(user: PageUser, p: Person): boolean {
  if (isManager(user)) return true;
  const me = user.id;
  return p.status?.customer.agent === me || p.lead?.agent === me || p.customerRow?.agent === me || p.leadRow?.agent === me || p.tasks.some((t) => t.agent === me || t.owner === me);
}

interface Extras {
  value?: CustomerValue;
  valueClass?: { value_class: string; abc: string; vip: boolean; recency: number; frequency: number; monetary: number; computed_at: Date };
  nps: Array<{ surveyId: string; score: number; why?: string; toTen?: string; answeredAt: string }>;
  plans: Array<{ plan: string; planYear: number }>;
  older: Array<{ plan: string; plan_year: number; seq: number; kind: string; channel: string; outcome: string; reason: string | null; at: Date }>;
}

async function loadExtras(ctx: WebContext, p: Person): Promise<Extras> {
  const [value, valueClass, npsRows, planRows, outcomeRows] = await Promise.all([
    valueOf(ctx.db, p.id, ctx.clv ?? DEFAULT_CLV_SETTINGS).catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }),
    ctx.db.selectFrom('customer_segments').select(['value_class', 'abc', 'vip', 'recency', 'frequency', 'monetary', 'computed_at']).where('customer_id', '=', p.id).executeTakeFirst(),
    ctx.db.selectFrom('nps_responses').select(['survey_id', 'score', 'why', 'to_ten', 'answered_at']).where('customer_id', '=', p.id).orderBy('answered_at').execute(),
    ctx.db.selectFrom('touch_outcomes').select(['plan', 'plan_year']).distinct().where('customer_id', '=', p.id).execute(),
    ctx.db.selectFrom('touch_outcomes').select(['plan', 'plan_year', 'seq', 'kind', 'channel', 'outcome', 'reason', 'at']).where('customer_id', '=', p.id).orderBy('plan_year').orderBy('at').limit(2000).execute(),
  ]);
  const nps = new Map<string, Extras['nps'][number]>();
  for (const r of npsRows) nps.set(r.survey_id, { surveyId: r.survey_id, score: r.score, why: r.why ?? undefined, toTen: r.to_ten ?? undefined, answeredAt: new Date(r.answered_at).toISOString() });
  for (const a of p.status?.nps ?? []) if (!nps.has(a.surveyId)) nps.set(a.surveyId, a);
  const plans = new Map<string, { plan: string; planYear: number }>();
  const addPlan = (plan: string, planYear: number) => plans.set(`${planYear}:${plan}`, { plan, planYear });
  if (p.leadRow || p.lead) addPlan('8x8', 0);
  for (const r of planRows) addPlan(r.plan, r.plan_year);
  if (p.status?.previousYear) addPlan(p.status.previousYear.plan, p.status.previousYear.planYear);
  if (p.status) addPlan(p.status.plan, p.status.planYear);
  else if (p.customerRow) addPlan(p.customerRow.plan, p.customerRow.plan_year);
  // Years the workflow no longer carries (before the previous one): from the store's outcome rows.
  const shown = new Set([p.status?.planYear, p.status?.previousYear?.planYear].filter((y) => y !== undefined));
  const older = p.status ? outcomeRows.filter((r) => !shown.has(r.plan_year)) : outcomeRows;
  return { value, valueClass, nps: [...nps.values()].sort((a, b) => a.answeredAt.localeCompare(b.answeredAt)), plans: [...plans.values()].sort((a, b) => a.planYear - b.planYear), older };
}

export interface Notice {
  ok?: string;
  problems?: string[];
}

function noticeHtml(w: Words, n?: Notice): string {
  if (!n) return '';
  if (n.problems) return `<div role="alert"><p style="margin:0">${w.failed}</p><ul>${n.problems.map((p) => `<li>${bdi(p)}</li>`).join('')}</ul></div>`;
  return n.ok ? `<p role="status">${n.ok}</p>` : '';
}

function touchLabel(w: Words, lang: Lang, t: Pick<Touch, 'kind' | 'title'>): string {
  return `${esc(pick(KINDS[lang], t.kind))}: ${en(t.title)}`;
}

/** Why a touch was skipped, held or dropped, in the year's words. */
function touchWhy(w: Words, t: Partial<DoneTouch>, zone: string): string {
  const parts: string[] = [];
  if (t.reason) parts.push(en(t.reason));
  if (t.held) parts.push(`${w.held}: ${en(t.held)}`);
  if (t.dropped) parts.push(`${w.dropped}: ${en(t.dropped)}`);
  if (t.firstAt) parts.push(`${w.firstDue} ${timeAt(t.firstAt, zone)}`);
  if (t.fulfilment) parts.push(bdi(`${t.fulfilment.status}${t.fulfilment.trackingNumber ? ` ${t.fulfilment.trackingNumber}` : ''}`));
  return parts.join('; ');
}

/** How many touches a list shows before the rest fold away. */
const SHOWN = 5;

function doneTable(w: Words, lang: Lang, caption: string, touches: DoneTouch[], zone: string, agentName: (id: string) => string, open = false): string {
  if (!touches.length) return `<h3>${caption}</h3><p>${w.noneDone}</p>`;
  const rows = touches.map(
    (t) =>
      `<tr><td data-label="${w.when}">${timeAt(t.at, zone)}</td><td data-label="${w.touch}">${touchLabel(w, lang, t)}</td><td data-label="${w.channel}">${esc(pick(CHANNELS[lang], t.channel))}</td><td data-label="${w.outcome}">${esc(pick(w.outcomes, t.outcome))}</td><td data-label="${w.why}">${touchWhy(w, t, zone)}</td><td data-label="${w.who}">${t.assignee ? bdi(agentName(t.assignee)) : ''}</td></tr>`,
  );
  const head = `<thead><tr><th scope="col">${w.when}</th><th scope="col">${w.touch}</th><th scope="col">${w.channel}</th><th scope="col">${w.outcome}</th><th scope="col">${w.why}</th><th scope="col">${w.who}</th></tr></thead>`;
  // The latest few in view (newest last, as they happened); the rest one tap away.
  const shown = open ? SHOWN : 0;
  const earlier = rows.slice(0, Math.max(rows.length - shown, 0));
  const latest = rows.slice(earlier.length);
  return (
    (latest.length ? `<table class="stack"><caption>${caption}</caption>${head}<tbody>${latest.join('')}</tbody></table>` : '') +
    (earlier.length ? `<details><summary>${latest.length ? w.earlier(earlier.length) : `${caption} (${earlier.length})`}</summary><table class="stack"><caption>${caption}</caption>${head}<tbody>${earlier.join('')}</tbody></table></details>` : '')
  );
}

function nextTable(w: Words, lang: Lang, touches: Touch[], zone: string, reachedCalls: number): string {
  if (!touches.length) return `<p>${w.noNext}</p>`;
  const rows = touches.map((t) => {
    const k = /^follow-up-(\d+)$/.exec(t.slot ?? '');
    const waits = t.kind === 'follow-up-letter' && k && Number(k[1]) > reachedCalls ? w.waitsForCall(Number(k[1])) : '';
    const note = [waits && esc(waits), touchWhy(w, t, zone)].filter(Boolean).join('; ');
    return `<tr><td data-label="${w.when}">${timeAt(t.at, zone)}</td><td data-label="${w.touch}">${touchLabel(w, lang, t)}</td><td data-label="${w.channel}">${esc(pick(CHANNELS[lang], t.channel))}</td><td data-label="${w.note}">${note}</td></tr>`;
  });
  const head = `<thead><tr><th scope="col">${w.when}</th><th scope="col">${w.touch}</th><th scope="col">${w.channel}</th><th scope="col">${w.note}</th></tr></thead>`;
  const caption = esc(w.timesIn(zone));
  const later = rows.slice(SHOWN);
  return (
    `<table class="stack"><caption>${caption}</caption>${head}<tbody>${rows.slice(0, SHOWN).join('')}</tbody></table>` +
    (later.length ? `<details><summary>${w.later(later.length)}</summary><table class="stack"><caption>${caption}</caption>${head}<tbody>${later.join('')}</tbody></table></details>` : '')
  );
}

const confirmBox = (w: Words, form: string) => `<p class="check"><input type="checkbox" id="${form}-confirm" name="confirm" value="yes" required><label for="${form}-confirm">${w.confirm}</label></p>`;
const formOpen = (p: Person, lang: Lang, user: PageUser, action: string) => `<form method="post" action="/app/people/${encodeURIComponent(p.id)}/${action}?lang=${lang}">${csrfField(user)}`;
const options = (pairs: Array<[string, string]>, w: Words, placeholder = true) => `${placeholder ? `<option value="">${w.choose}</option>` : ''}${pairs.map(([v, l]) => `<option value="${esc(v)}">${l}</option>`).join('')}`;

/** The open call's context (from the task as handed over) and the form that completes it. */
function callCard(w: Words, lang: Lang, user: PageUser, p: Person, call: CustomerStatus['calls'][number]): string {
  const zone = p.zone;
  const row = p.tasks.find((t) => t.task_id === call.taskId);
  const task = row?.payload as CallTask | undefined;
  const touch = p.status?.touchesDone.find((t) => t.seq === call.seq);
  const ctx = task?.context;
  const recent = (ctx?.recentTouches ?? []).slice(-5).map((t) => `<li>${timeAt(t.at, zone)}: ${esc(pick(KINDS[lang], t.kind))}: ${bdi(t.title)} (${esc(pick(CHANNELS[lang], t.channel))}${w.sep}${esc(pick(w.outcomes, t.outcome))})</li>`);
  const earlier = (ctx?.previousCalls ?? []).map((c) => `<li>${timeAt(c.at, zone)}: ${esc(pick(w.callOutcomes, c.outcome))}${c.notes ? ` — “${bdi(c.notes)}”` : ''}</li>`);
  const points = (task?.talkingPoints ?? []).map((t) => `<li>${en(t)}</li>`);
  const f = `call-${call.seq}`;
  return `<section class="card" aria-labelledby="${f}-h"><h2 id="${f}-h">${w.openCall}: ${bdi(task?.title ?? touch?.title ?? call.taskId)}</h2>
<dl class="facts"><dt>${w.dueAt}</dt><dd>${when(task?.dueAt ?? touch?.at, zone)}</dd>${task?.phone ? `<dt>${w.phone}</dt><dd><a href="tel:${esc(task.phone)}" dir="ltr">${esc(task.phone)}</a></dd>` : ''}${call.assignee ? `<dt>${w.agent}</dt><dd>${bdi(p.agentName(call.assignee))}</dd>` : ''}${task?.notes ? `<dt>${w.notes}</dt><dd>${bdi(task.notes)}</dd>` : ''}</dl>
<h3>${w.lastTouches}</h3>${recent.length ? `<ul class="plain">${recent.join('')}</ul>` : `<p>${w.nothingYet}</p>`}
<h3>${w.earlierCalls}</h3>${earlier.length ? `<ul class="plain">${earlier.join('')}</ul>` : `<p>${w.nothingYet}</p>`}
<h3>${w.talkingPoints}</h3>${points.length ? `<ol class="points">${points.join('')}</ol>` : `<p>${w.nothingYet}</p>`}
<h3>${w.complete}</h3>${formOpen(p, lang, user, 'complete')}<input type="hidden" name="taskId" value="${esc(call.taskId)}">
<label for="${f}-outcome">${w.outcome}</label><select id="${f}-outcome" name="outcome" required>${options(CALL_OUTCOMES.map((o) => [o, esc(w.callOutcomes[o])]), w)}</select>
<label for="${f}-notes">${w.callNotes}</label><textarea id="${f}-notes" name="notes" maxlength="2000"></textarea>
<label for="${f}-callback">${w.callBackOn}</label><input type="date" id="${f}-callback" name="callBackOn" min="${DATE_RANGE.from}" max="${DATE_RANGE.to}">
${confirmBox(w, f)}<button type="submit">${w.complete}</button></form></section>`;
}

/** A lead's open task (first contact, reply, contact later): what it is and the outcome form. */
function leadTaskCard(w: Words, lang: Lang, user: PageUser, p: Person, row: TaskRow): string {
  const t = row.payload as LeadTask;
  const f = `lead-${row.task_id.replace(/[^A-Za-z0-9-]/g, '-')}`;
  return `<section class="card" aria-labelledby="${f}-h"><h2 id="${f}-h">${w.leadTask}: ${esc(w.taskKinds[taskKind(t)])}</h2>
<dl class="facts"><dt>${w.dueAt}</dt><dd>${when(t.dueAt, t.timezone)}</dd>${t.phone ? `<dt>${w.phone}</dt><dd><a href="tel:${esc(t.phone)}" dir="ltr">${esc(t.phone)}</a></dd>` : ''}${t.email ? `<dt>${w.email}</dt><dd>${bdi(t.email)}</dd>` : ''}${t.needs ? `<dt>${w.needs}</dt><dd>${bdi(t.needs)}</dd>` : ''}<dt>${w.source}</dt><dd>${bdi(t.source)}</dd>${t.text ? `<dt>${w.notes}</dt><dd>“${bdi(t.text)}”</dd>` : ''}</dl>
<h3>${w.reportLead}</h3>${formOpen(p, lang, user, 'complete')}<input type="hidden" name="taskId" value="${esc(row.task_id)}">
<label for="${f}-outcome">${w.outcome}</label><select id="${f}-outcome" name="outcome" required>${options(LEAD_OUTCOMES.map((o) => [o, esc(w.leadOutcomes[o])]), w)}</select>
<label for="${f}-notes">${w.callNotes}</label><textarea id="${f}-notes" name="notes" maxlength="2000"></textarea>
<label for="${f}-contact">${w.contactOn}</label><input type="date" id="${f}-contact" name="contactOn" min="${DATE_RANGE.from}" max="${DATE_RANGE.to}">
${confirmBox(w, f)}<button type="submit">${w.reportLead}</button></form></section>`;
}

function actionCards(w: Words, lang: Lang, user: PageUser, p: Person): string {
  const st = p.status;
  if (!st) return `<p>${w.noActions}</p>`;
  if (st.state === 'cancelled' || st.state === 'year-complete' || st.state === 'converted') return `<p>${w.ended}</p>`;
  const upcoming = st.nextTouches.map((t): [string, string] => [String(t.seq), `${esc(atText(t.at, p.zone))} · ${esc(pick(KINDS[lang], t.kind))}: ${esc(t.title)}`]);
  const card = (id: string, title: string, inner: string) => `<section class="card" aria-labelledby="${id}-h"><h3 id="${id}-h">${title}</h3>${inner}</section>`;
  const pauseOrResume =
    st.state === 'paused'
      ? card('resume', w.resume, `${formOpen(p, lang, user, 'resume')}${confirmBox(w, 'resume')}<button type="submit">${w.resumeGo}</button></form>`)
      : card('pause', w.pause, `${formOpen(p, lang, user, 'pause')}<label for="pause-reason">${w.pauseReason}</label><input type="text" id="pause-reason" name="reason" maxlength="200">${confirmBox(w, 'pause')}<button type="submit">${w.pauseGo}</button></form>`);
  const skip = upcoming.length
    ? card('skip', w.skip, `${formOpen(p, lang, user, 'skip')}<label for="skip-seq">${w.skipWhich}</label><select id="skip-seq" name="seq" required>${options(upcoming, w)}</select><label for="skip-reason">${w.skipReason}</label><input type="text" id="skip-reason" name="reason" maxlength="200" required>${confirmBox(w, 'skip')}<button type="submit">${w.skipGo}</button></form>`)
    : '';
  const move = upcoming.length
    ? card('move', w.move, `${formOpen(p, lang, user, 'move')}<label for="move-seq">${w.moveWhich}</label><select id="move-seq" name="seq" required>${options(upcoming, w)}</select><label for="move-at">${esc(w.moveAt(p.zone))}</label><input type="datetime-local" id="move-at" name="local" required>${confirmBox(w, 'move')}<button type="submit">${w.moveGo}</button></form>`)
    : '';
  const referral = card(
    'referral',
    w.referral,
    `${formOpen(p, lang, user, 'referral')}<label for="referral-kind">${w.referralKind}</label><select id="referral-kind" name="kind" required>${options([['referral', esc(w.referralArrived)], ['pledge', esc(w.referralPledged)]], w, false)}</select><label for="referral-id">${w.referralId}</label><input type="text" id="referral-id" name="referralId" maxlength="128"><label for="referral-name">${w.referredName}</label><input type="text" id="referral-name" name="referredName" maxlength="100"><label for="referral-note">${w.referralNote}</label><input type="text" id="referral-note" name="note" maxlength="500">${confirmBox(w, 'referral')}<button type="submit">${w.referralGo}</button></form>`,
  );
  const channels = (['email', 'sms', 'postal', 'phone'] as const).filter((c) => st.customer.consent[c]).map((c): [string, string] => [c, esc(CHANNELS[lang][c])]);
  const optOut = channels.length
    ? card('optout', w.optOut, `${formOpen(p, lang, user, 'opt-out')}<label for="optout-channel">${w.optOutChannel}</label><select id="optout-channel" name="channel" required>${options(channels, w)}</select><label for="optout-reason">${w.optOutReason}</label><input type="text" id="optout-reason" name="reason" maxlength="200">${confirmBox(w, 'optout')}<button type="submit">${w.optOutGo}</button></form>`)
    : '';
  return `<div class="actions">${pauseOrResume}${skip}${move}${referral}${optOut}</div>`;
}

function personPage(lang: Lang, user: PageUser, p: Person, x: Extras, notice?: Notice): string {
  const w = W[lang];
  const st = p.status;
  const zone = p.zone;
  const fmt = (n: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n);
  const parts: string[] = [noticeHtml(w, notice)];

  // About: who, which plan, where the year stands, segment, value.
  const c = st?.customer;
  const lead = p.lead?.lead;
  const phone = c?.phone ?? lead?.phone ?? p.leadRow?.phone ?? undefined;
  const email = c?.email ?? lead?.email ?? p.leadRow?.email ?? undefined;
  const planName = st ? pick(w.plansNames, st.plan) : p.lead ? w.plansNames['8x8'] : pick(w.plansNames, p.customerRow?.plan);
  const state = st?.state ?? p.lead?.state ?? p.customerRow?.state;
  // The business's own segment, and beside it the value class the daily refresh computed.
  const own = c?.segment ?? lead?.segment;
  const segment = own ? bdi(own) : esc(w.none);
  const vc = x.valueClass;
  const valueClass = vc ? `${bdi(vc.value_class)} <span class="muted">(ABC ${esc(vc.abc)}, RFM ${vc.recency}/${vc.frequency}/${vc.monetary}${vc.vip ? ', VIP' : ''})</span>` : esc(w.none);
  parts.push(
    `<section class="card" aria-labelledby="about-h"><h2 id="about-h">${w.about}</h2><dl class="facts">` +
      `<dt>${w.plan}</dt><dd>${esc(planName)}${st ? `${w.sep}${w.year} ${st.planYear}` : ''}</dd>` +
      `<dt>${w.status}</dt><dd>${esc(pick(w.states, state))}</dd>` +
      `<dt>${w.agent}</dt><dd>${bdi(p.agentName(c?.agent ?? p.lead?.agent ?? p.customerRow?.agent ?? p.leadRow?.agent ?? ''))}</dd>` +
      (phone ? `<dt>${w.phone}</dt><dd><a href="tel:${esc(phone)}" dir="ltr">${esc(phone)}</a></dd>` : '') +
      (email ? `<dt>${w.email}</dt><dd>${bdi(email)}</dd>` : '') +
      `<dt>${w.zone}</dt><dd>${esc(zone)}</dd>` +
      `<dt>${w.segment}</dt><dd>${segment}</dd>` +
      `<dt>${w.valueClass}</dt><dd>${valueClass}</dd>` +
      `<dt>${w.clv}</dt><dd>${x.value ? esc(w.clvText(x.value, fmt)) : esc(w.none)}</dd>` +
      (st ? `<dt>${w.referrals}</dt><dd>${st.referrals}</dd>` : '') +
      `</dl>${st?.holdout ? `<p>${w.holdout}</p>` : ''}</section>`,
  );

  // The open call(s), with their context and the completion form; a lead's open tasks.
  for (const call of st?.calls.filter((k) => !k.outcome) ?? []) parts.push(callCard(w, lang, user, p, call));
  for (const row of p.tasks.filter((t) => t.type === 'lead' && t.state !== 'done' && leadOfTask(t.task_id))) parts.push(leadTaskCard(w, lang, user, p, row));

  // What comes next, then the actions on it.
  const nextTouches = st?.nextTouches ?? p.lead?.nextTouches ?? [];
  const reached = st?.calls.filter((k) => k.outcome === 'reached').length ?? 0;
  parts.push(`<section aria-labelledby="next-h"><h2 id="next-h">${w.next}</h2>${nextTable(w, lang, nextTouches, zone, reached)}</section>`);
  parts.push(`<section aria-labelledby="actions-h"><h2 id="actions-h">${w.actions}</h2>${actionCards(w, lang, user, p)}</section>`);

  // Every touch done, this year, the year before, and earlier years from the store.
  const done: string[] = [];
  if (st) done.push(doneTable(w, lang, esc(w.thisYear(st.planYear, pick(w.plansNames, st.plan))), st.touchesDone, zone, p.agentName, true));
  if (st?.previousYear) done.push(doneTable(w, lang, esc(w.thisYear(st.previousYear.planYear, pick(w.plansNames, st.previousYear.plan))), st.previousYear.touchesDone, zone, p.agentName));
  if (p.lead) done.push(doneTable(w, lang, esc(w.plansNames['8x8']), p.lead.touchesDone, zone, p.agentName, !st));
  const olderYears = [...new Set(x.older.map((r) => `${r.plan_year}:${r.plan}`))];
  for (const key of olderYears) {
    const rows = x.older.filter((r) => `${r.plan_year}:${r.plan}` === key);
    const [year, plan] = [rows[0]!.plan_year, rows[0]!.plan];
    const touches = rows.map((r) => ({ seq: r.seq, kind: r.kind, channel: r.channel, at: new Date(r.at).toISOString(), title: '', outcome: r.outcome, reason: r.reason ?? undefined, doneAt: '' }) as unknown as DoneTouch);
    done.push(doneTable(w, lang, esc(plan === '8x8' ? w.plansNames['8x8'] : w.thisYear(year, pick(w.plansNames, plan))), touches, zone, p.agentName));
  }
  parts.push(`<section aria-labelledby="done-h"><h2 id="done-h">${w.done}</h2>${done.join('') || `<p>${w.noneDone}</p>`}</section>`);

  // Every call of the year, with outcome and notes.
  if (st?.calls.length) {
    const rows = st.calls.map((k) => {
      const t = st.touchesDone.find((d) => d.seq === k.seq);
      return `<tr><td data-label="${w.given}">${timeAt(k.givenAt ?? t?.at, zone)}</td><td data-label="${w.touch}">${bdi(t?.title ?? k.taskId)}</td><td data-label="${w.outcome}">${k.outcome ? esc(pick(w.callOutcomes, k.outcome)) : ''}</td><td data-label="${w.notes}">${k.notes ? bdi(k.notes) : ''}</td><td data-label="${w.completed}">${timeAt(k.completedAt, zone)}</td></tr>`;
    });
    parts.push(`<section aria-labelledby="calls-h"><h2 id="calls-h">${w.calls}</h2><table class="stack"><thead><tr><th scope="col">${w.given}</th><th scope="col">${w.touch}</th><th scope="col">${w.outcome}</th><th scope="col">${w.notes}</th><th scope="col">${w.completed}</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`);
  }
  if (st?.replies?.length) {
    const items = st.replies.map((r) => {
      const text = (p.tasks.find((t) => t.task_id === r.taskId)?.payload as ReplyTask | undefined)?.text;
      return `<li>${timeAt(r.receivedAt, zone)}${text ? `: “${bdi(text)}”` : ''}</li>`;
    });
    parts.push(`<section aria-labelledby="replies-h"><h2 id="replies-h">${w.replies}</h2><ul class="plain">${items.join('')}</ul></section>`);
  }

  // Plans, consent, NPS.
  parts.push(`<section aria-labelledby="plans-h"><h2 id="plans-h">${w.plans}</h2><ul class="plain">${x.plans.map((pl) => `<li>${esc(pl.plan === '8x8' ? w.plansNames['8x8'] : w.thisYear(pl.planYear, pick(w.plansNames, pl.plan)))}</li>`).join('')}</ul></section>`);
  const consentOf = c?.consent ?? lead?.consent;
  if (consentOf) {
    const facts = c ?? lead!;
    const detail: Record<Channel, string | undefined> = { email: facts.email, sms: facts.phone, phone: facts.phone, postal: facts.address ? `${facts.address.line1}, ${facts.address.city}` : undefined };
    const rows = (['email', 'sms', 'postal', 'phone'] as const).map((ch) => `<tr><th scope="row">${esc(CHANNELS[lang][ch])}</th><td data-label="${w.consentCol}">${consentOf[ch] ? w.yes : `<strong>${w.no}</strong>`}</td><td data-label="${w.detail}">${detail[ch] ? bdi(detail[ch]) : esc(w.none)}</td></tr>`);
    parts.push(`<section aria-labelledby="consent-h"><h2 id="consent-h">${w.consent}</h2><table><thead><tr><th scope="col">${w.channel}</th><th scope="col">${w.consentCol}</th><th scope="col">${w.detail}</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`);
  }
  const nps = x.nps.map((a) => `<tr><td data-label="${w.when}">${timeAt(a.answeredAt, zone)}</td><td data-label="${w.score}">${a.score}/10</td><td data-label="${w.why}">${a.why ? bdi(a.why) : ''}</td><td data-label="${w.toTen}">${a.toTen ? bdi(a.toTen) : ''}</td></tr>`);
  parts.push(`<section aria-labelledby="nps-h"><h2 id="nps-h">${w.nps}</h2>${nps.length ? `<table class="stack"><thead><tr><th scope="col">${w.when}</th><th scope="col">${w.score}</th><th scope="col">${w.why}</th><th scope="col">${w.toTen}</th></tr></thead><tbody>${nps.join('')}</tbody></table>` : `<p>${w.noNps}</p>`}</section>`);

  // A lead: its stage, source, what they look for.
  if (p.lead || p.leadRow) {
    const stages = (p.lead?.stages ?? []).map((s) => `<li>${timeAt(s.at, zone)}: ${bdi(s.stage)}${s.reason ? ` (${bdi(s.reason)})` : ''}</li>`);
    parts.push(
      `<section aria-labelledby="lead-h"><h2 id="lead-h">${w.lead}</h2><dl class="facts"><dt>${w.stage}</dt><dd>${bdi(p.lead?.stage ?? p.leadRow?.stage)}</dd><dt>${w.source}</dt><dd>${bdi(p.lead?.lead.source.channel ?? p.leadRow?.source)}${p.leadRow?.source_text ? ` — ${bdi(p.leadRow.source_text)}` : ''}</dd>${p.lead?.lead.needs ? `<dt>${w.needs}</dt><dd>${bdi(p.lead.lead.needs)}</dd>` : ''}<dt>${w.captured}</dt><dd>${when(p.lead?.capturedAt ?? isoOf(p.leadRow?.created_at), zone)}</dd></dl>${stages.length ? `<h3>${w.stages}</h3><ul class="plain">${stages.join('')}</ul>` : ''}</section>`,
    );
  }
  parts.push(`<p><a href="/app/inbox?lang=${lang}">${w.back}</a></p>`);
  return page(lang, p.name, parts.join('\n'), { user, head: PAGE_STYLE });
}

function notFound(reply: FastifyReply, lang: Lang, user: PageUser): FastifyReply {
  const w = W[lang];
  return sendPage(reply, page(lang, w.notFound, `<p>${w.notFoundText}</p><p><a href="/app/inbox?lang=${lang}">${w.back}</a></p>`, { user }), 404);
}

// ---- the actions ----

const ACTIONS = ['complete', 'pause', 'resume', 'skip', 'move', 'referral', 'opt-out'] as const;
type Action = (typeof ACTIONS)[number];
type Form = Record<string, string | undefined>;

/** Form fields as the service takes them: empty fields left out. */
function fields(body: Form, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = typeof body[n] === 'string' ? body[n].trim() : '';
    if (v) out[n] = v;
  }
  return out;
}

/** Runs one action through the service layer; returns the words for the page. Throws ValidationError/NotFoundError. */
async function runAction(ctx: WebContext, lang: Lang, p: Person, action: Action, body: Form): Promise<string> {
  const w = W[lang];
  const ref = p.ref;
  const needYear = () => {
    if (!ref || !p.status) throw new NotFoundError(`no running plan for ${p.id}`);
    return ref;
  };
  const find = (seq: unknown) => p.status?.nextTouches.find((t) => String(t.seq) === String(seq));
  switch (action) {
    case 'complete': {
      const taskId = body.taskId ?? '';
      // Only this person's tasks: a task id of someone else's is refused here.
      if (parseTouchKey(taskId)?.customerId !== p.id && leadOfTask(taskId) !== p.id) throw new ValidationError([`taskId: ${taskId || '(none)'} is not an open task of ${p.id}`]);
      const result = await ops.completeCall(ctx.client, taskId, fields(body, ['outcome', 'notes', 'callBackOn', 'contactOn']));
      const outcome = result.outcome in w.callOutcomes ? pick(w.callOutcomes, result.outcome) : pick(w.leadOutcomes, result.outcome);
      const m = /^(.*) at (\d{4}-\d{2}-\d{2}T\S+)$/.exec(result.next);
      const what = nextWords(lang, m ? m[1]! : result.next);
      let text = w.ok.complete(esc(outcome), m ? `${esc(what)} ${w.at} ${when(m[2], p.zone)}` : esc(what));
      // The follow-up letter that will go out, as the year now has it.
      const fresh = m ? await yearStatus(ctx, p).catch(() => undefined) : undefined;
      const letter = fresh?.nextTouches.find((t) => t.kind === 'follow-up-letter' && t.at === m![2]);
      if (letter) text += ` ${w.ok.letter(bdi(letter.title), when(letter.at, p.zone))}`;
      return text;
    }
    case 'pause': {
      const input = fields(body, ['reason']);
      if (needYear().contact) await web.pauseContact(ctx.client, ref!, input);
      else await ops.pause(ctx.client, p.id, input);
      return esc(w.ok.pause);
    }
    case 'resume':
      if (needYear().contact) await web.resumeContact(ctx.client, ref!);
      else await ops.resume(ctx.client, p.id);
      return esc(w.ok.resume);
    case 'skip': {
      const touch = find(body.seq);
      await web.skipTouch(ctx.client, needYear(), { seq: body.seq, reason: body.reason });
      return w.ok.skip(touch ? `${esc(pick(KINDS[lang], touch.kind))}: ${bdi(touch.title)}` : esc(`#${body.seq}`));
    }
    case 'move': {
      const moved = await web.moveTouch(ctx.client, needYear(), { seq: body.seq, local: body.local }, p.zone);
      return w.ok.move(`${esc(pick(KINDS[lang], moved.kind))}: ${bdi(moved.title)}`, when(moved.at, p.zone));
    }
    case 'referral': {
      const arrived = fields(body, ['referralId', 'referredName']);
      const input = body.kind === 'pledge' ? { pledged: true as const, ...fields(body, ['note']) } : arrived;
      if (body.kind !== 'pledge' && !arrived.referralId) throw new ValidationError(['referralId: expected the referral id (who arrived), or choose "They promised a referral"']);
      const done = needYear().contact ? await web.referralForContact(ctx.client, ref!, input) : await ops.recordReferral(ctx.client, p.id, input);
      return esc(done.kind === 'pledge' ? w.ok.pledge : w.ok.referral);
    }
    case 'opt-out': {
      const input = fields(body, ['channel', 'reason']);
      const change = needYear().contact ? await web.optOutContact(ctx.client, ref!, input) : await ops.changeConsent(ctx.client, p.id, input, 'opt-out');
      return esc(w.ok.optOut(CHANNELS[lang][change.channel]));
    }
  }
}

/** The person's year as the workflow tells it now (a customer's, or a contact's general 33). */
async function yearStatus(ctx: WebContext, p: Person): Promise<CustomerStatus> {
  return p.ref?.contact ? ((await getLead(ctx.client, p.id)) as { year: CustomerStatus }).year : ops.getStatus(ctx.client, p.id);
}

/** The year's answer to a completed call ("follow-up letter 1", "retry", "call-back") in the page's language. */
function nextWords(lang: Lang, what: string): string {
  if (lang === 'en') return what;
  const letter = /^follow-up letter (\d+)$/.exec(what);
  if (letter) return `رسالة المتابعة ${letter[1]}`;
  const ar: Record<string, string> = { retry: 'إعادة المحاولة', 'call-back': 'معاودة الاتصال', 'no follow-up': 'لا متابعة', 'no retry left': 'لا محاولة أخرى', 'no follow-up letter left this year': 'لا رسالة متابعة أخرى هذه السنة' };
  return ar[what] ?? what;
}

/** After a signal, the year shows it a moment later: wait briefly so the page shows the new state. */
async function settle(ctx: WebContext, p: Person, action: Action, body: Form): Promise<void> {
  if (!p.status || !['pause', 'resume', 'referral', 'opt-out'].includes(action)) return;
  const before = p.status;
  const changed = (s: CustomerStatus) =>
    action === 'pause' ? s.state === 'paused' : action === 'resume' ? s.state !== 'paused' : action === 'referral' ? s.referrals !== before.referrals || s.plan !== before.plan : s.customer.consent[body.channel as Channel] === false;
  for (let i = 0; i < 20; i++) {
    const s = await yearStatus(ctx, p);
    if (changed(s)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function registerInbox(app: FastifyInstance, ctx: WebContext): void {
  app.get('/app/inbox', async (req, reply) => {
    const user = userOf(req);
    const lang = langOf(req);
    const rows = await openTasks(ctx.db, isManager(user) ? undefined : user.id);
    return sendPage(reply, inboxPage(lang, user, rows, (id) => ctx.agents.get(id)?.name ?? id, Date.now()));
  });

  const open = async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const person = await loadPerson(ctx, req.params.id);
    return person && mayOpen(userOf(req), person) ? person : undefined;
  };

  app.get<{ Params: { id: string } }>('/app/people/:id', async (req, reply) => {
    const user = userOf(req);
    const lang = langOf(req);
    const person = await open(req);
    if (!person) return notFound(reply, lang, user);
    return sendPage(reply, personPage(lang, user, person, await loadExtras(ctx, person)));
  });

  app.post<{ Params: { id: string; action: string } }>('/app/people/:id/:action', async (req, reply) => {
    if (!checkCsrf(req, reply)) return reply;
    const user = userOf(req);
    const lang = langOf(req);
    const action = req.params.action as Action;
    const person = ACTIONS.includes(action) ? await open(req) : undefined;
    if (!person) return notFound(reply, lang, user);
    const body = (req.body ?? {}) as Form;
    let notice: Notice;
    let code = 200;
    try {
      if (body.confirm !== 'yes') throw new ValidationError([W[lang].confirmMissing]);
      notice = { ok: await runAction(ctx, lang, person, action, body) };
      await settle(ctx, person, action, body);
    } catch (err) {
      if (err instanceof ValidationError) [notice, code] = [{ problems: err.problems }, 400];
      else if (err instanceof NotFoundError) [notice, code] = [{ problems: [err.message] }, 404];
      else throw err;
    }
    req.log.info({ user: user.id, person: person.id, action, ok: code === 200 }, 'web action');
    const fresh = (await loadPerson(ctx, person.id)) ?? person;
    return sendPage(reply, personPage(lang, user, fresh, await loadExtras(ctx, fresh), notice), code);
  });
}
