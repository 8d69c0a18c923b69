// The manager's dashboard and what a plan change affects (managers only; an agent gets 403).
//   GET  /app/dashboard?from=&to=|year=&asOf=   the measure reports as charts (Chart.js, served by
//        us) and tables, each with its CSV; overdue calls per agent with links to the people
//   GET  /app/reports/<name>.csv?...             a report's rows (the registry's `rows`) as CSV
//   GET  /app/plan-impact, POST /app/plan-impact  paste (or pick) a plan-overrides file: how many
//        people and which of their touches still to come would change. Nothing is applied.
// Every chart's figures are also in a table under it (screen readers, and the exact numbers).
// The charts' data travels as JSON in <script type="application/json">; a small inline script
// hands it to Chart.js. Nothing here reads a report's figures from the clock: the period and the
// "as of" day come from the query (defaults: the last 12 months, today).
import { csvText } from '../../lib/csv';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parsePlanOverrides, resolvePlan, type PlanOverrides } from '../../plan/definitions';
import { personImpact, type ImpactCounts, type TouchChange } from '../../plan/plan-impact';
import { customerWorkflowId } from '../../plan/ids';
import { DEFAULT_SENDING_HOURS } from '../../plan/sending-hours';
import type { CustomerStatus } from '../../plan/year-records';
import { NotFoundError, ValidationError } from '../../service/errors';
import { leadConversion, type ConversionRow } from '../../service/leads';
import { REPORTS, runReport, type Cell, type ReportName, type ReportTable } from '../../service/measure';
import { getStatus } from '../../service/operations';
import { checkCsrf, isManager, userOf, type WebContext } from './context';
import { csrfField, esc, langOf, localTime, page, sendPage, type Lang, type PageUser } from './layout';

type Result<N extends ReportName> = Awaited<ReturnType<(typeof REPORTS)[N]['run']>>;

// ---- words ----

const KINDS: Record<Lang, Record<string, string>> = {
  en: {
    newsletter: 'Newsletter', 'holiday-card': 'Holiday card', call: 'Call', 'follow-up-letter': 'Follow-up letter', 'personal-card': 'Personal card', 'give-away': 'Give-away',
    'value-added': 'Value-added', 'remembrance-card': 'Remembrance card', 'prospect-letter': 'Prospect letter', 'reactivation-letter': 'Reactivation letter', 'nps-survey': 'NPS survey', 'referral-ask': 'Referral ask',
  },
  ar: {
    newsletter: 'النشرة الإخبارية', 'holiday-card': 'بطاقة مناسبة', call: 'مكالمة', 'follow-up-letter': 'رسالة متابعة', 'personal-card': 'بطاقة شخصية', 'give-away': 'هدية',
    'value-added': 'قيمة مضافة', 'remembrance-card': 'بطاقة ذكرى', 'prospect-letter': 'رسالة تعريفية', 'reactivation-letter': 'رسالة تجديد الصلة', 'nps-survey': 'استبيان الرضا', 'referral-ask': 'طلب ترشيح',
  },
};
const CHANNELS: Record<Lang, Record<string, string>> = {
  en: { email: 'email', sms: 'SMS', postal: 'post', phone: 'phone', none: 'no channel' },
  ar: { email: 'البريد الإلكتروني', sms: 'رسالة نصية', postal: 'البريد', phone: 'الهاتف', none: 'لا قناة' },
};

const WORDS = {
  en: {
    title: 'Dashboard',
    forbidden: 'Managers only',
    forbiddenText: 'This page is for managers. Your inbox has your own people and tasks.',
    period: 'Period',
    from: 'From (first day)',
    to: 'To (the day after the last)',
    year: 'Or a calendar year',
    asOf: 'As of (overdue calls and lifetime value)',
    show: 'Show',
    periodNote: (from: string, to: string, budgetYear: number) => `From ${from} to ${to} (the last day excluded), in UTC days. Budget: ${budgetYear}.`,
    problems: 'The period could not be used:',
    csv: 'Download CSV',
    table: 'Figures',
    noData: 'No data for this period.',
    chartNote: 'The figures are in the table below the chart.',
    month: 'Month',
    kind: 'Kind',
    sent: 'Sent',
    skipped: 'Skipped',
    failed: 'Failed',
    total: 'Total',
    touches: 'Touches by kind and outcome per month',
    touchesText: 'Per month, one bar each for sent, skipped and failed touches (in that order), stacked by kind: solid sent, lighter skipped, palest failed.',
    funnelSource: 'Lead funnel by source',
    funnelAgent: 'Lead funnel by agent',
    funnelText: 'Every lead so far: how many reached each stage.',
    source: 'Source',
    agent: 'Agent',
    leads: 'Leads',
    contacted: 'Contacted',
    qualified: 'Qualified',
    deals: 'Deals',
    lost: 'Lost',
    conversion: 'Conversion',
    referralConversion: 'Referral conversion against lead conversion',
    referralConversionText: "Referrals of the period whose person closed a deal, and leads of the period that reached 'deal'; the difference with its 95 % interval.",
    group: 'Group',
    count: 'Count',
    converted: 'Converted',
    rate: 'Rate',
    difference: 'Difference',
    ciLower: '95 % interval, lower',
    ciUpper: '95 % interval, upper',
    method: 'Method',
    referralsGroup: 'Referrals',
    leadsGroup: 'Leads',
    ratePct: 'Conversion (%)',
    perCustomer: 'Referrals per customer',
    perCustomerText: (f: { customers: number; referrals: number; perCustomer: number | null }) => `${f.referrals} referrals from ${f.customers} customers on the books: ${f.perCustomer ?? '–'} per customer. How many customers made 0, 1, 2, … referrals:`,
    referrals: 'Referrals',
    customers: 'Customers',
    bestSources: 'Best referral sources',
    customer: 'Customer',
    value: 'Value',
    nps: 'NPS over time',
    npsText: 'NPS = % promoters (9-10) − % detractors (0-6), by month of the answer.',
    responses: 'Answers',
    promoters: 'Promoters',
    passives: 'Passives',
    detractors: 'Detractors',
    npsScore: 'NPS',
    average: 'Average score',
    clv: 'Customer lifetime value',
    clvText: (asOf: string, currency: string) => `Every customer's value as of ${asOf} (${currency}): average purchase × purchases per year × lifespan − acquisition cost. How many customers fall in each band:`,
    band: 'Value band',
    distribution: 'Distribution',
    min: 'Minimum',
    p25: 'Lower quartile',
    median: 'Median',
    p75: 'Upper quartile',
    max: 'Maximum',
    budget: (y: number) => `Budget ${y}: planned and spent by month`,
    budgetText: (currency: string, planned: number, spent: number) => `Planned (touches not skipped or dropped) and spent (touches sent), in ${currency}. The year: ${planned} planned, ${spent} spent.`,
    planned: 'Planned',
    spent: 'Spent',
    planVsHoldout: 'Plan against holdout',
    planVsHoldoutText: 'Customers on the books in the period, in the plan and in the holdout group (only the survey). The differences are plan − holdout with 95 % intervals (Welch for means, Newcombe for the share).',
    measure: 'Measure',
    plan: 'Plan',
    holdout: 'Holdout',
    perHundred: 'Referrals per 100 customers',
    repeatPct: 'Repeat-deal share (%)',
    segments: 'Value classes',
    segmentsText: 'Customers per value class (VIP, A, B, C), as the daily refresh last computed them; the business’s own segments are not counted here.',
    segment: 'Value class',
    revenue: 'Revenue',
    overdue: 'Overdue calls per agent',
    overdueText: (asOf: string, hours: number) => `Open call tasks of customers not lost; overdue when given more than ${hours} hours before ${asOf}.`,
    open: 'Open',
    overdueCol: 'Overdue',
    oldest: 'Oldest overdue given at',
    people: 'People with an overdue call',
  },
  ar: {
    title: 'لوحة المتابعة',
    forbidden: 'للمديرين فقط',
    forbiddenText: 'هذه الصفحة للمديرين. تجد عملاءك ومهامك في صفحة المهام.',
    period: 'الفترة',
    from: 'من (اليوم الأول)',
    to: 'إلى (اليوم التالي لآخر يوم)',
    year: 'أو سنة ميلادية',
    asOf: 'حتى تاريخ (المكالمات المتأخرة وقيمة العميل)',
    show: 'عرض',
    periodNote: (from: string, to: string, budgetYear: number) => `من ${from} إلى ${to} (دون اليوم الأخير)، بأيام التوقيت العالمي. الميزانية: ${budgetYear}.`,
    problems: 'تعذر استخدام الفترة:',
    csv: 'تنزيل CSV',
    table: 'الأرقام',
    noData: 'لا توجد بيانات لهذه الفترة.',
    chartNote: 'الأرقام في الجدول أسفل الرسم.',
    month: 'الشهر',
    kind: 'النوع',
    sent: 'أُرسلت',
    skipped: 'تُخطيت',
    failed: 'فشلت',
    total: 'المجموع',
    touches: 'التواصل حسب النوع والنتيجة لكل شهر',
    touchesText: 'لكل شهر عمود لما أُرسل وعمود لما تُخطي وعمود لما فشل (بهذا الترتيب)، مقسّمة حسب النوع: الأغمق ما أُرسل، ثم الأفتح ما تُخطي، والأفتح منه ما فشل.',
    funnelSource: 'مسار العملاء المحتملين حسب المصدر',
    funnelAgent: 'مسار العملاء المحتملين حسب الممثل',
    funnelText: 'كل العملاء المحتملين حتى الآن: كم منهم بلغ كل مرحلة.',
    source: 'المصدر',
    agent: 'الممثل',
    leads: 'العملاء المحتملون',
    contacted: 'تم التواصل',
    qualified: 'مؤهَّلون',
    deals: 'صفقات',
    lost: 'فُقدوا',
    conversion: 'نسبة التحويل',
    referralConversion: 'تحويل الترشيحات مقابل تحويل العملاء المحتملين',
    referralConversionText: 'الترشيحات في الفترة التي أبرم أصحابها صفقة، والعملاء المحتملون في الفترة الذين بلغوا مرحلة الصفقة؛ والفرق مع مجال ثقة 95 %.',
    group: 'المجموعة',
    count: 'العدد',
    converted: 'تحوّلوا',
    rate: 'النسبة',
    difference: 'الفرق',
    ciLower: 'مجال الثقة 95 %، الحد الأدنى',
    ciUpper: 'مجال الثقة 95 %، الحد الأعلى',
    method: 'الطريقة',
    referralsGroup: 'الترشيحات',
    leadsGroup: 'العملاء المحتملون',
    ratePct: 'نسبة التحويل (%)',
    perCustomer: 'الترشيحات لكل عميل',
    perCustomerText: (f: { customers: number; referrals: number; perCustomer: number | null }) => `${f.referrals} ترشيحًا من ${f.customers} عميلًا: ${f.perCustomer ?? '–'} لكل عميل. كم عميلًا قدّم 0 أو 1 أو 2 … من الترشيحات:`,
    referrals: 'الترشيحات',
    customers: 'العملاء',
    bestSources: 'أفضل مصادر الترشيح',
    customer: 'العميل',
    value: 'القيمة',
    nps: 'مؤشر صافي الترويج عبر الزمن',
    npsText: 'المؤشر = نسبة المروّجين (9-10) − نسبة المنتقدين (0-6)، حسب شهر الإجابة.',
    responses: 'الإجابات',
    promoters: 'المروّجون',
    passives: 'المحايدون',
    detractors: 'المنتقدون',
    npsScore: 'المؤشر',
    average: 'متوسط التقييم',
    clv: 'القيمة الدائمة للعميل',
    clvText: (asOf: string, currency: string) => `قيمة كل عميل حتى ${asOf} (${currency}): متوسط الشراء × مرات الشراء في السنة × مدة العلاقة − تكلفة الاكتساب. كم عميلًا في كل شريحة:`,
    band: 'شريحة القيمة',
    distribution: 'التوزيع',
    min: 'الأدنى',
    p25: 'الربيع الأدنى',
    median: 'الوسيط',
    p75: 'الربيع الأعلى',
    max: 'الأعلى',
    budget: (y: number) => `ميزانية ${y}: المخطط والمصروف لكل شهر`,
    budgetText: (currency: string, planned: number, spent: number) => `المخطط (ما لم يُتخطَّ أو يُسقط) والمصروف (ما أُرسل)، بعملة ${currency}. السنة: ${planned} مخطط، ${spent} مصروف.`,
    planned: 'المخطط',
    spent: 'المصروف',
    planVsHoldout: 'الخطة مقابل المجموعة الضابطة',
    planVsHoldoutText: 'العملاء في الفترة، في الخطة وفي المجموعة الضابطة (الاستبيان فقط). الفروق هي الخطة − الضابطة مع مجالات ثقة 95 % (ولش للمتوسطات، نيوكومب للنسبة).',
    measure: 'المقياس',
    plan: 'الخطة',
    holdout: 'المجموعة الضابطة',
    perHundred: 'الترشيحات لكل 100 عميل',
    repeatPct: 'نسبة من أبرم صفقة ثانية (%)',
    segments: 'فئات القيمة',
    segmentsText: 'العملاء في كل فئة قيمة (VIP وA وB وC)، كما حسبها التحديث اليومي آخر مرة؛ ولا تُحسب هنا شرائح النشاط التجاري الخاصة.',
    segment: 'فئة القيمة',
    revenue: 'الإيرادات',
    overdue: 'المكالمات المتأخرة لكل ممثل',
    overdueText: (asOf: string, hours: number) => `مهام الاتصال المفتوحة لعملاء غير مفقودين؛ متأخرة إذا سُلّمت قبل ${asOf} بأكثر من ${hours} ساعة.`,
    open: 'مفتوحة',
    overdueCol: 'متأخرة',
    oldest: 'أقدم مهمة متأخرة سُلّمت في',
    people: 'أشخاص لديهم مكالمة متأخرة',
  },
};

const IMPACT = {
  en: {
    title: 'What a plan change affects',
    intro: 'Paste a plan-overrides file (the JSON that PLAN33_PLAN_OVERRIDES names) or pick it from your computer, and see whose touches still to come would change, before anything is applied.',
    nothingApplied:
      'Nothing is applied by this page: it only compares. A new file takes effect when the worker runs with it; each year then loads its definition (the overrides of its value class, then of its segment) at its next plan year or when its value class or segment changes. Shown here: each person’s rest of the year re-planned with the new file now, against what is planned for them today.',
    file: 'Overrides file (JSON)',
    pick: 'Or pick the file',
    pickHint: 'Picking a file puts its text in the box above; nothing is sent until you press the button.',
    submit: 'Show what would change',
    invalid: 'This overrides file cannot be used. Nothing was checked:',
    notJson: (m: string) => `not valid JSON: ${m}`,
    summary: (changed: string, checked: number) => `${changed} of ${checked} people on a running plan would change.`,
    touchSummary: (c: ImpactCounts, touches: string) => `${touches} touches still to come would change: ${c.added} added, ${c.removed} removed, ${c.moved} moved, ${c.channelChanged} on another channel.`,
    capped: (n: number) => `Only the first ${n} customers on the books (by id) were checked; there are more.`,
    unreadable: (n: number, ids: string) => `${n} customers on the books had no running year to read (${ids}).`,
    notRunning: (n: number) => `${n} customers were not running or paused and were left out.`,
    contacts: (n: number) => `${n} contacts on the general 33 (still on their lead's road) were not checked.`,
    comparedWith: (has: boolean) => (has ? 'Compared with the overrides file this server runs with now.' : 'Compared with the plans as defined, without overrides (this server runs with none).'),
    people: 'People who would change',
    person: 'Person',
    segment: 'Segment',
    plan: 'Plan',
    added: 'Added',
    removed: 'Removed',
    moved: 'Moved',
    channel: 'Other channel',
    details: 'Their touches',
    touch: 'Touch',
    now: 'Planned now',
    after: 'With the new file',
    change: 'Change',
    none: 'Nobody’s touches would change.',
    detailsCapped: (n: number) => `Details for the first ${n} people.`,
    changeText: (c: TouchChange) => (c.change === 'added' ? 'added' : c.change === 'removed' ? 'removed' : [c.moved ? 'moved' : '', c.channelChanged ? 'channel changed' : ''].filter(Boolean).join(', ') || 'title changed'),
  },
  ar: {
    title: 'أثر تغيير الخطة',
    intro: 'الصق ملف تعديلات الخطة (ملف JSON الذي يشير إليه PLAN33_PLAN_OVERRIDES) أو اختره من جهازك، لترى من ستتغير رسائله القادمة قبل تطبيق أي شيء.',
    nothingApplied:
      'هذه الصفحة لا تطبّق شيئًا: إنها تقارن فقط. يسري الملف الجديد حين يعمل به العامل؛ فتحمّل كل سنة تعريفها (تعديلات فئة قيمتها ثم تعديلات شريحتها) في سنة خطتها التالية أو عند تغيّر فئة قيمتها أو شريحتها. المعروض هنا: بقية سنة كل شخص بعد إعادة تخطيطها بالملف الجديد الآن، مقابل ما هو مخطط له اليوم.',
    file: 'ملف التعديلات (JSON)',
    pick: 'أو اختر الملف',
    pickHint: 'اختيار ملف يضع نصه في المربع أعلاه؛ لا يُرسل شيء حتى تضغط الزر.',
    submit: 'اعرض ما سيتغير',
    invalid: 'لا يمكن استخدام ملف التعديلات هذا. لم يُفحص شيء:',
    notJson: (m: string) => `ليس JSON صالحًا: ${m}`,
    summary: (changed: string, checked: number) => `${changed} من ${checked} أشخاص في خطة جارية ستتغير رسائلهم.`,
    touchSummary: (c: ImpactCounts, touches: string) => `${touches} من الرسائل القادمة ستتغير: ${c.added} تُضاف، ${c.removed} تُحذف، ${c.moved} يتغير موعدها، ${c.channelChanged} تتغير قناتها.`,
    capped: (n: number) => `فُحص أول ${n} عميل فقط (حسب المعرّف)؛ يوجد غيرهم.`,
    unreadable: (n: number, ids: string) => `${n} من العملاء لا توجد لهم سنة جارية يمكن قراءتها (${ids}).`,
    notRunning: (n: number) => `${n} من العملاء ليسوا في خطة جارية أو موقوفة مؤقتًا فاستُبعدوا.`,
    contacts: (n: number) => `لم يُفحص ${n} من جهات الاتصال في خطة الـ 33 العامة (ما زالوا في مسار العميل المحتمل).`,
    comparedWith: (has: boolean) => (has ? 'المقارنة مع ملف التعديلات الذي يعمل به هذا الخادم الآن.' : 'المقارنة مع الخطط كما هي معرّفة دون تعديلات (لا يعمل هذا الخادم بملف تعديلات).'),
    people: 'الأشخاص الذين ستتغير رسائلهم',
    person: 'الشخص',
    segment: 'الشريحة',
    plan: 'الخطة',
    added: 'تُضاف',
    removed: 'تُحذف',
    moved: 'يتغير موعدها',
    channel: 'قناة أخرى',
    details: 'رسائلهم',
    touch: 'الرسالة',
    now: 'المخطط الآن',
    after: 'بالملف الجديد',
    change: 'التغيير',
    none: 'لن تتغير رسائل أحد.',
    detailsCapped: (n: number) => `التفاصيل لأول ${n} أشخاص.`,
    changeText: (c: TouchChange) => (c.change === 'added' ? 'تُضاف' : c.change === 'removed' ? 'تُحذف' : [c.moved ? 'يتغير موعدها' : '', c.channelChanged ? 'تتغير قناتها' : ''].filter(Boolean).join('، ') || 'يتغير عنوانها'),
  },
};

// ---- pieces of a page ----

const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#8C6D1F', '#4D4D4D', '#7B3294', '#1B7837', '#B2182B', '#2166AC'];
const withAlpha = (hex: string, alpha: number) => `${hex}${Math.round(alpha * 255).toString(16).padStart(2, '0')}`;

type CellHtml = { html: string };
type TableCell = Cell | undefined | CellHtml;
const cellHtml = (c: TableCell) => (c !== null && typeof c === 'object' ? c.html : esc(c ?? ''));

/** A data table with a caption; wide tables scroll sideways on a phone. */
function table(caption: string, columns: string[], rows: TableCell[][], id?: string): string {
  const head = `<tr>${columns.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${cellHtml(c)}</th>` : `<td>${cellHtml(c)}</td>`)).join('')}</tr>`).join('');
  return `<div class="scroll" role="region" tabindex="0" aria-label="${esc(caption)}"><table${id ? ` id="${id}"` : ''}><caption>${esc(caption)}</caption><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

interface ChartSpec {
  type: 'bar' | 'line';
  data: { labels: string[]; datasets: Array<Record<string, unknown>> };
  options: Record<string, unknown>;
  /** Datasets carry `legendGroup`: the legend shows each group once (the touches chart). */
  groupedLegend?: boolean;
}

function chartSpec(lang: Lang, type: ChartSpec['type'], labels: string[], datasets: Array<Record<string, unknown>>, opts: { stacked?: boolean; yTitle?: string; groupedLegend?: boolean; yMin?: number; counts?: boolean } = {}): ChartSpec {
  const rtl = lang === 'ar';
  return {
    type,
    data: { labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { position: 'bottom', rtl }, tooltip: { rtl } },
      scales: {
        x: { reverse: rtl, stacked: opts.stacked ?? false },
        y: { position: rtl ? 'right' : 'left', stacked: opts.stacked ?? false, beginAtZero: true, ...(opts.yMin !== undefined ? { suggestedMin: opts.yMin } : {}), ...(opts.yTitle ? { title: { display: true, text: opts.yTitle } } : {}), ...(opts.counts ? { ticks: { precision: 0 } } : {}) },
      },
    },
    ...(opts.groupedLegend ? { groupedLegend: true } : {}),
  };
}

interface Section {
  id: string;
  title: string;
  text: string;
  chart?: ChartSpec;
  tables: string;
  csv: Array<{ href: string; name: string }>;
  empty?: boolean;
}

function sectionHtml(lang: Lang, s: Section): string {
  const w = WORDS[lang];
  const chart = s.chart
    ? `<figure style="margin:0"><div class="chart" style="height:18rem"><canvas id="chart-${s.id}" role="img" aria-label="${esc(`${s.title}. ${w.chartNote}`)}"></canvas></div></figure>`
    : '';
  const csv = s.csv.map((c) => `<a href="${esc(c.href)}" download>${w.csv} (${esc(c.name)})</a>`).join(' · ');
  return `<section class="card" aria-labelledby="h-${s.id}" id="${s.id}"><h2 id="h-${s.id}">${esc(s.title)}</h2><p class="muted">${esc(s.text)}</p>${s.empty ? `<p>${w.noData}</p>` : ''}${chart}${s.tables}${csv ? `<p>${csv}</p>` : ''}</section>`;
}

/** JSON inside <script>: nothing can close the tag. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const CHART_SCRIPT = `<script src="/app/assets/chart.js"></script><script>
(function () {
  var specs = JSON.parse(document.getElementById('dashboard-charts').textContent);
  Object.keys(specs).forEach(function (id) {
    var spec = specs[id];
    if (spec.groupedLegend) {
      spec.options.plugins.legend.onClick = function () {};
      spec.options.plugins.legend.labels = { generateLabels: function (chart) {
        var seen = {};
        return Chart.defaults.plugins.legend.labels.generateLabels(chart).filter(function (item) {
          var group = chart.data.datasets[item.datasetIndex].legendGroup;
          if (seen[group]) return false;
          seen[group] = true; item.text = group; return true;
        });
      } };
    }
    delete spec.groupedLegend;
    new Chart(document.getElementById('chart-' + id), spec);
  });
})();
</script>`;

const STYLE_EXTRA = '<style>.scroll{overflow-x:auto;max-width:100%}.scroll:focus{outline:2px solid #0b5394}form.period{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end}form.period>div{flex:1 1 10rem}input[type=number]{width:100%;max-width:10rem;padding:.35rem}details{margin:.5rem 0}summary{cursor:pointer;font-weight:600}</style>';

const forbidden = (reply: FastifyReply, lang: Lang, user: PageUser) =>
  sendPage(reply, page(lang, WORDS[lang].forbidden, `<p role="alert">${WORDS[lang].forbiddenText}</p><p><a href="/app/inbox">${lang === 'ar' ? 'المهام' : 'Inbox'}</a></p>`, { user }), 403);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const pct = (r: number | null | undefined) => (r === null || r === undefined ? null : Math.round(r * 1000) / 10);
const query = (params: Record<string, string | number | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

// ---- CLV bands ----

/** The smallest of 1, 2, 2.5, 5 × 10^k at least `x`. */
function niceStep(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= x - 1e-9)!;
}

/** Equal bands of a round width over the values ([lower, upper)), about √n of them (4 to 10). */
export function valueBands(values: readonly number[]): Array<{ lower: number; upper: number; count: number }> {
  if (values.length === 0) return [];
  const min = Math.min(...values);
  const max = Math.max(...values);
  const wanted = Math.min(10, Math.max(4, Math.ceil(Math.sqrt(values.length))));
  const step = niceStep((max - min) / wanted || Math.abs(max) || 1);
  const start = Math.floor(min / step) * step;
  const n = Math.floor((max - start) / step) + 1;
  const bands = Array.from({ length: n }, (_, i) => ({ lower: start + i * step, upper: start + (i + 1) * step, count: 0 }));
  for (const v of values) bands[Math.min(n - 1, Math.floor((v - start) / step))]!.count += 1;
  return bands;
}

// ---- the dashboard ----

interface DashboardInput {
  period: { from?: string; to?: string; year?: string };
  asOf?: string;
}

async function dashboardData(ctx: WebContext, input: DashboardInput) {
  const rctx = { nowMs: Date.now(), ...(ctx.clv ? { clv: ctx.clv } : {}) };
  const run = <N extends ReportName>(name: N, params: Record<string, unknown>) => runReport(ctx.db, name, params, rctx) as Promise<Result<N>>;
  const period = Object.fromEntries(Object.entries(input.period).filter(([, v]) => v !== undefined));
  const asOf = input.asOf ? { asOf: input.asOf } : {};
  const problems: string[] = [];
  // The parameters first (each report names its bad ones): one message per problem, not per report.
  for (const check of [() => run('touches', period), () => run('overdue-calls', asOf), () => run('clv', asOf)]) {
    try {
      await check();
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      problems.push(...err.problems.filter((p) => !problems.includes(p)));
    }
  }
  if (problems.length) return { ok: false, problems } as const;
  const budgetYear = input.period.year !== undefined ? Number(input.period.year) : input.period.from ? Number(input.period.from.slice(0, 4)) : new Date(rctx.nowMs).getUTCFullYear();
  const [touches, referralConversion, perCustomer, bestSources, nps, planVsHoldout, overdue, clv, budget, segments, bySource, byAgent] = await Promise.all([
    run('touches', period),
    run('referral-conversion', period),
    run('referrals-per-customer', period),
    run('best-referral-sources', period),
    run('nps', period),
    run('plan-vs-holdout', period),
    run('overdue-calls', asOf),
    run('clv', asOf),
    run('budget', { year: budgetYear }),
    run('segments', {}),
    leadConversion(ctx.db, 'source'),
    leadConversion(ctx.db, 'agent'),
  ]);
  return { ok: true, period: touches.period, budgetYear, touches, referralConversion, perCustomer, bestSources, nps, planVsHoldout, overdue, clv, budget, segments, bySource, byAgent } as const;
}

type Data = Extract<Awaited<ReturnType<typeof dashboardData>>, { ok: true }>;

function sections(lang: Lang, d: Data, periodQuery: string, asOfQuery: string, ctx: WebContext): Section[] {
  const w = WORDS[lang];
  const kind = (k: string) => KINDS[lang][k] ?? k;
  const csv = (name: string, q: string) => ({ href: `/app/reports/${name}.csv${q}`, name: `${name}.csv` });
  const out: Section[] = [];

  // Touches: a bar per outcome in each month, stacked by kind (colour by kind, lighter for skipped and failed).
  const months = [...new Set(d.touches.rows.map((r) => r.month))].sort();
  const kinds = [...new Set(d.touches.rows.map((r) => r.kind))].sort();
  const outcomes = [['sent', 1, w.sent], ['skipped', 0.55, w.skipped], ['failed', 0.3, w.failed]] as const;
  const touchSets = outcomes.flatMap(([outcome, alpha, label]) =>
    kinds.map((k, i) => ({
      label: `${kind(k)} · ${label}`,
      legendGroup: kind(k),
      stack: outcome,
      backgroundColor: withAlpha(PALETTE[i % PALETTE.length]!, alpha),
      borderColor: PALETTE[i % PALETTE.length],
      borderWidth: 1,
      data: months.map((m) => d.touches.rows.find((r) => r.month === m && r.kind === k)?.[outcome] ?? 0),
    })),
  );
  out.push({
    id: 'touches',
    title: w.touches,
    text: w.touchesText,
    chart: chartSpec(lang, 'bar', months, touchSets, { stacked: true, groupedLegend: true, counts: true }),
    tables: table(w.touches, [w.month, w.kind, w.sent, w.skipped, w.failed, w.total], d.touches.rows.map((r) => [r.month, kind(r.kind), r.sent, r.skipped, r.failed, r.total]), 'table-touches'),
    csv: [csv('touches', periodQuery)],
    empty: d.touches.rows.length === 0,
  });

  // The lead funnel, by source and by agent.
  const stages = [['leads', w.leads], ['contacted', w.contacted], ['qualified', w.qualified], ['deals', w.deals], ['lost', w.lost]] as const;
  const funnel = (id: string, title: string, keyTitle: string, rows: ConversionRow[], by: string, label: (k: string) => string) => ({
    id,
    title,
    text: w.funnelText,
    chart: chartSpec(lang, 'bar', rows.map((r) => label(r.key)), stages.map(([k, l], i) => ({ label: l, backgroundColor: PALETTE[i], data: rows.map((r) => r[k]) })), { counts: true }),
    tables: table(title, [keyTitle, ...stages.map(([, l]) => l), w.conversion], rows.map((r) => [label(r.key), r.leads, r.contacted, r.qualified, r.deals, r.lost, r.conversion]), `table-${id}`),
    csv: [csv('lead-funnel', query({ by }))],
    empty: rows.length === 0,
  });
  const agentName = (id: string) => ctx.agents.get(id)?.name ?? id;
  out.push(funnel('funnel-source', w.funnelSource, w.source, d.bySource, 'source', (k) => k));
  out.push(funnel('funnel-agent', w.funnelAgent, w.agent, d.byAgent, 'agent', agentName));

  // Referral conversion against lead conversion.
  const rc = d.referralConversion;
  out.push({
    id: 'referral-conversion',
    title: w.referralConversion,
    text: w.referralConversionText,
    chart: chartSpec(lang, 'bar', [w.referralsGroup, w.leadsGroup], [{ label: w.ratePct, backgroundColor: [PALETTE[0], PALETTE[1]], data: [pct(rc.referrals.rate), pct(rc.leads.rate)] }], { yTitle: '%' }),
    tables: table(
      w.referralConversion,
      [w.group, w.count, w.converted, w.rate, w.difference, w.ciLower, w.ciUpper, w.method],
      [
        [w.referralsGroup, rc.referrals.referrals, rc.referrals.converted, rc.referrals.rate, rc.difference.difference, rc.difference.ci?.lower ?? null, rc.difference.ci?.upper ?? null, rc.difference.method],
        [w.leadsGroup, rc.leads.leads, rc.leads.converted, rc.leads.rate, null, null, null, null],
      ],
      'table-referral-conversion',
    ),
    csv: [csv('referral-conversion', periodQuery)],
    empty: rc.referrals.referrals + rc.leads.leads === 0,
  });

  // Referrals per customer: the distribution; and the best sources (a table, with links).
  const pc = d.perCustomer;
  out.push({
    id: 'referrals-per-customer',
    title: w.perCustomer,
    text: w.perCustomerText(pc),
    chart: chartSpec(lang, 'bar', pc.distribution.map((x) => String(x.referrals)), [{ label: w.customers, backgroundColor: PALETTE[2], data: pc.distribution.map((x) => x.customers) }], { counts: true }),
    tables:
      table(w.perCustomer, [w.referrals, w.customers], pc.distribution.map((x) => [x.referrals, x.customers]), 'table-referrals-per-customer') +
      table(
        w.bestSources,
        [w.customer, w.agent, w.referrals, w.converted, w.conversion, w.value],
        d.bestSources.sources.map((s) => [{ html: `<a href="/app/people/${encodeURIComponent(s.customerId)}">${esc(s.name ?? s.customerId)}</a>` }, s.agent ? agentName(s.agent) : '', s.referrals, s.converted, s.conversion, s.value]),
        'table-best-referral-sources',
      ),
    csv: [csv('referrals-per-customer', periodQuery), csv('best-referral-sources', periodQuery)],
    empty: pc.customers === 0,
  });

  // NPS over time.
  const nps = d.nps;
  out.push({
    id: 'nps',
    title: w.nps,
    text: w.npsText,
    chart: chartSpec(lang, 'line', nps.months.map((m) => m.month), [{ label: w.npsScore, borderColor: PALETTE[0], backgroundColor: PALETTE[0], spanGaps: true, pointRadius: 4, data: nps.months.map((m) => m.nps) }], { yMin: -100 }),
    tables: table(
      w.nps,
      [w.month, w.responses, w.promoters, w.passives, w.detractors, w.npsScore, w.average],
      [...nps.months.map((m) => ({ ...m, label: m.month })), { ...nps.total, label: w.total }].map((m) => [m.label, m.responses, m.promoters, m.passives, m.detractors, m.nps, m.averageScore]),
      'table-nps',
    ),
    csv: [csv('nps', periodQuery)],
    empty: nps.total.responses === 0,
  });

  // CLV: how many customers in each band.
  const clv = d.clv;
  const bands = valueBands(clv.customers.map((c) => c.clv));
  const bandLabel = (b: { lower: number; upper: number }) => `${b.lower}–${b.upper}`;
  out.push({
    id: 'clv',
    title: w.clv,
    text: w.clvText(clv.asOf, clv.currency),
    chart: chartSpec(lang, 'bar', bands.map(bandLabel), [{ label: w.customers, backgroundColor: PALETTE[4], barPercentage: 1, categoryPercentage: 1, data: bands.map((b) => b.count) }], { counts: true }),
    tables:
      table(w.clv, [w.band, w.customers], bands.map((b) => [bandLabel(b), b.count]), 'table-clv') +
      table(w.distribution, [w.customers, w.min, w.p25, w.median, w.p75, w.max, w.total], [[clv.clv.count, clv.clv.min, clv.clv.p25, clv.clv.median, clv.clv.p75, clv.clv.max, clv.clv.total]], 'table-clv-distribution'),
    csv: [csv('clv', asOfQuery)],
    empty: clv.customers.length === 0,
  });

  // Budget: planned and spent by month of the year (every month shown).
  const b = d.budget;
  const allMonths = Array.from({ length: 12 }, (_, i) => `${d.budgetYear}-${String(i + 1).padStart(2, '0')}`);
  const bm = (m: string) => b.rows.find((r) => r.key === m);
  out.push({
    id: 'budget',
    title: w.budget(d.budgetYear),
    text: w.budgetText(b.currency, b.total.planned, b.total.spent),
    chart: chartSpec(lang, 'bar', allMonths, [
      { label: w.planned, backgroundColor: PALETTE[0], data: allMonths.map((m) => bm(m)?.planned ?? 0) },
      { label: w.spent, backgroundColor: PALETTE[1], data: allMonths.map((m) => bm(m)?.spent ?? 0) },
    ], { yTitle: b.currency }),
    tables: table(w.budget(d.budgetYear), [w.month, w.planned, w.spent, lang === 'ar' ? 'الرسائل المخططة' : 'Touches planned', lang === 'ar' ? 'الرسائل المرسلة' : 'Touches sent'], [...b.rows.map((r) => [r.key, r.planned, r.spent, r.touches, r.sent] as TableCell[]), [w.total, b.total.planned, b.total.spent, null, null]], 'table-budget'),
    csv: [csv('budget', query({ year: d.budgetYear }))],
    empty: b.rows.length === 0,
  });

  // Plan against holdout: the per-100 measures as bars; every measure and interval in the table.
  const pv = d.planVsHoldout;
  const per100 = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10);
  const ci = (c: { difference: number | null; ci: { lower: number; upper: number } | null; method: string }) => [c.difference, c.ci?.lower ?? null, c.ci?.upper ?? null, c.method];
  out.push({
    id: 'plan-vs-holdout',
    title: w.planVsHoldout,
    text: w.planVsHoldoutText,
    chart: chartSpec(lang, 'bar', [w.perHundred, w.repeatPct, w.npsScore], [
      { label: w.plan, backgroundColor: PALETTE[0], data: [per100(pv.plan.referralsPerCustomer), per100(pv.plan.repeatShare), pv.plan.nps.nps] },
      { label: w.holdout, backgroundColor: PALETTE[1], data: [per100(pv.holdout.referralsPerCustomer), per100(pv.holdout.repeatShare), pv.holdout.nps.nps] },
    ]),
    tables: table(
      w.planVsHoldout,
      [w.measure, w.plan, w.holdout, w.difference, w.ciLower, w.ciUpper, w.method],
      [
        [w.customers, pv.plan.customers, pv.holdout.customers, null, null, null, null],
        [w.perCustomer, pv.plan.referralsPerCustomer, pv.holdout.referralsPerCustomer, ...ci(pv.difference.referralsPerCustomer)],
        [w.repeatPct.replace(' (%)', ''), pv.plan.repeatShare, pv.holdout.repeatShare, ...ci(pv.difference.repeatShare)],
        [w.responses, pv.plan.nps.responses, pv.holdout.nps.responses, null, null, null, null],
        [w.average, pv.plan.nps.averageScore, pv.holdout.nps.averageScore, ...ci(pv.difference.averageScore)],
        [w.npsScore, pv.plan.nps.nps, pv.holdout.nps.nps, ...ci(pv.difference.nps)],
      ],
      'table-plan-vs-holdout',
    ),
    csv: [csv('plan-vs-holdout', periodQuery)],
    empty: pv.plan.customers + pv.holdout.customers === 0,
  });

  // Segments.
  const seg = d.segments;
  out.push({
    id: 'segments',
    title: w.segments,
    text: w.segmentsText,
    chart: chartSpec(lang, 'bar', seg.bySegment.map((s) => s.segment), [{ label: w.customers, backgroundColor: PALETTE[5], data: seg.bySegment.map((s) => s.customers) }], { counts: true }),
    tables: table(w.segments, [w.segment, w.customers, w.revenue], seg.bySegment.map((s) => [s.segment, s.customers, s.revenue]), 'table-segments'),
    csv: [csv('segments', '')],
    empty: seg.customers === 0,
  });
  return out;
}

function overdueSection(lang: Lang, d: Data, asOfQuery: string, ctx: WebContext): string {
  const w = WORDS[lang];
  const o = d.overdue;
  const people = (agent: string) => {
    const ids = [...new Set(o.tasks.filter((t) => t.agent === agent).map((t) => t.customerId))];
    return { html: ids.map((id) => `<a href="/app/people/${encodeURIComponent(id)}">${esc(id)}</a>`).join(', ') };
  };
  const rows = o.agents.map((a) => [ctx.agents.get(a.agent)?.name ?? a.agent, a.open, a.overdue, a.oldestGivenAt, people(a.agent)] as TableCell[]);
  return `<section class="card" aria-labelledby="h-overdue" id="overdue"><h2 id="h-overdue">${w.overdue}</h2><p class="muted">${esc(w.overdueText(o.asOf, o.overdueAfterHours))}</p>${o.agents.length ? table(w.overdue, [w.agent, w.open, w.overdueCol, w.oldest, w.people], rows, 'table-overdue') : `<p>${w.noData}</p>`}<p><a href="/app/reports/overdue-calls.csv${esc(asOfQuery)}" download>${w.csv} (overdue-calls.csv)</a></p></section>`;
}

function periodForm(lang: Lang, q: DashboardInput): string {
  const w = WORDS[lang];
  const field = (id: string, label: string, type: string, value: string | undefined, extra = '') =>
    `<div><label for="${id}">${label}</label><input type="${type}" id="${id}" name="${id}" value="${esc(value ?? '')}"${extra}></div>`;
  return `<form method="get" action="/app/dashboard" class="period card" aria-label="${w.period}"><input type="hidden" name="lang" value="${lang}">${field('from', w.from, 'date', q.period.from)}${field('to', w.to, 'date', q.period.to)}${field('year', w.year, 'number', q.period.year, ' min="2000" max="2200" inputmode="numeric"')}${field('asOf', w.asOf, 'date', q.asOf)}<div><button type="submit">${w.show}</button></div></form>`;
}

// ---- plan impact ----

const IMPACT_LIMIT = 500;
const DETAIL_LIMIT = 50;

interface PersonResult {
  customerId: string;
  name: string;
  status: CustomerStatus;
  changes: TouchChange[];
  counts: ImpactCounts;
}

async function inPool<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

async function planImpact(ctx: WebContext, overrides: PlanOverrides, nowMs: number, log: (err: unknown, customerId: string) => void) {
  const found = await ctx.db.selectFrom('customers').select(['customer_id', 'name', 'workflow_id']).where('state', 'in', ['running', 'paused']).orderBy('customer_id').limit(IMPACT_LIMIT + 1).execute();
  const capped = found.length > IMPACT_LIMIT;
  // A contact on the general 33 runs in its lead's workflow (`lead-<id>`), not a customer year: not checked here.
  const rows = found.slice(0, IMPACT_LIMIT).filter((r) => r.workflow_id === customerWorkflowId(r.customer_id));
  const contacts = Math.min(found.length, IMPACT_LIMIT) - rows.length;
  const sendingHours = ctx.sendingHours ?? DEFAULT_SENDING_HOURS;
  const unreadable: string[] = [];
  let notRunning = 0;
  const results = await inPool(rows, 16, async (row): Promise<PersonResult | undefined> => {
    let status: CustomerStatus;
    try {
      status = await ctx.client.withDeadline(Date.now() + 10_000, () => getStatus(ctx.client, row.customer_id));
    } catch (err) {
      if (!(err instanceof NotFoundError)) log(err, row.customer_id);
      unreadable.push(row.customer_id);
      return undefined;
    }
    if (status.state !== 'running' && status.state !== 'paused') {
      notRunning += 1;
      return undefined;
    }
    const segment = status.customer.segment;
    const opts = { version: status.planVersion, ...(segment ? { segment } : {}), ...(status.valueClass ? { valueClass: status.valueClass } : {}) };
    const current = resolvePlan(status.plan, { ...opts, ...(ctx.planOverrides ? { overrides: ctx.planOverrides } : {}) });
    const proposed = resolvePlan(status.plan, { ...opts, overrides });
    const impact = personImpact(status, { current, proposed }, sendingHours, nowMs);
    return { customerId: row.customer_id, name: row.name, status, ...impact };
  });
  const checked = results.filter((r): r is PersonResult => r !== undefined);
  const changed = checked.filter((r) => r.counts.touches > 0);
  const total: ImpactCounts = { touches: 0, added: 0, removed: 0, moved: 0, channelChanged: 0 };
  for (const r of changed) for (const k of Object.keys(total) as Array<keyof ImpactCounts>) total[k] += r.counts[k];
  return { checked: checked.length, changed, total, capped, unreadable: unreadable.sort(), notRunning, contacts };
}

function impactForm(lang: Lang, user: PageUser, text: string): string {
  const t = IMPACT[lang];
  return `<form method="post" action="/app/plan-impact?lang=${lang}" class="card">${csrfField(user)}<label for="overrides">${t.file}</label><textarea id="overrides" name="overrides" rows="12" spellcheck="false" dir="ltr" style="font-family:ui-monospace,monospace;max-width:100%">${esc(text)}</textarea><label for="file">${t.pick}</label><input type="file" id="file" accept=".json,application/json" aria-describedby="file-hint"><p class="muted" id="file-hint">${t.pickHint}</p><button type="submit">${t.submit}</button></form><script>
document.getElementById('file').addEventListener('change', function (e) {
  var f = e.target.files && e.target.files[0];
  if (f) f.text().then(function (s) { document.getElementById('overrides').value = s; });
});
</script>`;
}

function impactResult(lang: Lang, r: Awaited<ReturnType<typeof planImpact>>, hasCurrent: boolean): string {
  const t = IMPACT[lang];
  const kind = (k: string) => KINDS[lang][k] ?? k;
  const channel = (c: string) => CHANNELS[lang][c] ?? c;
  const notes = [
    t.comparedWith(hasCurrent),
    ...(r.capped ? [t.capped(IMPACT_LIMIT)] : []),
    ...(r.unreadable.length ? [t.unreadable(r.unreadable.length, r.unreadable.slice(0, 20).join(', ') + (r.unreadable.length > 20 ? ', …' : ''))] : []),
    ...(r.notRunning ? [t.notRunning(r.notRunning)] : []),
    ...(r.contacts ? [t.contacts(r.contacts)] : []),
  ];
  // The words are ours (no user text): only the numbers are marked up.
  const summary = `<div role="status" id="impact-summary"><p>${t.summary(`<strong id="impact-people">${r.changed.length}</strong>`, r.checked)}</p>${r.changed.length ? `<p>${t.touchSummary(r.total, `<strong id="impact-touches">${r.total.touches}</strong>`)}</p>` : `<p>${t.none}</p>`}</div>`;
  const notesHtml = `<ul class="muted">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`;
  if (!r.changed.length) return `<section class="card" aria-labelledby="h-result"><h2 id="h-result">${t.people}</h2>${summary}${notesHtml}</section>`;
  const person = (p: PersonResult) => ({ html: `<a href="/app/people/${encodeURIComponent(p.customerId)}">${esc(p.name || p.customerId)}</a>` });
  const peopleTable = table(
    t.people,
    [t.person, t.segment, t.plan, t.added, t.removed, t.moved, t.channel],
    r.changed.map((p) => [person(p), p.status.customer.segment ?? '–', `${p.status.plan} v${p.status.planVersion}`, p.counts.added, p.counts.removed, p.counts.moved, p.counts.channelChanged]),
    'table-impact',
  );
  const when = (p: PersonResult, side: TouchChange['before']) => (side ? `${localTime(side.at, p.status.customer.timezone)} · ${channel(side.channel)}` : '–');
  const details = r.changed
    .slice(0, DETAIL_LIMIT)
    .map(
      (p, i) =>
        `<details${i < 3 ? ' open' : ''}><summary>${esc(p.name || p.customerId)} (${p.counts.touches})</summary>${table(
          `${t.details}: ${p.name || p.customerId} (${p.status.customer.timezone})`,
          [t.touch, t.now, t.after, t.change],
          p.changes.map((c) => [`${kind(c.kind)}: ${c.title}`, when(p, c.before), when(p, c.after), t.changeText(c)]),
          `table-impact-${p.customerId}`,
        )}</details>`,
    )
    .join('');
  return `<section class="card" aria-labelledby="h-result"><h2 id="h-result">${t.people}</h2>${summary}${notesHtml}${peopleTable}<h3>${t.details}</h3>${r.changed.length > DETAIL_LIMIT ? `<p class="muted">${t.detailsCapped(DETAIL_LIMIT)}</p>` : ''}${details}</section>`;
}

/** The overrides text: JSON, then the schema; every problem named by its field. */
function readOverrides(lang: Lang, text: string): { overrides: PlanOverrides } | { problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { problems: [IMPACT[lang].notJson((err as Error).message)] };
  }
  try {
    return { overrides: parsePlanOverrides(json) };
  } catch (err) {
    return { problems: (err as Error).message.split('\n').slice(1).filter(Boolean) };
  }
}

// ---- routes ----

const LEAD_FUNNEL = 'lead-funnel';

/** The report as CSV: csv-stringify's escape_formulas guards every cell (lib/csv.ts). */
const csvOf = (t: ReportTable): string => csvText(t.columns, t.rows);

export function registerDashboard(app: FastifyInstance, ctx: WebContext): void {
  app.get('/app/dashboard', async (req, reply) => {
    const lang = langOf(req);
    const user = userOf(req);
    if (!isManager(user)) return forbidden(reply, lang, user);
    const w = WORDS[lang];
    const q = req.query as Record<string, unknown>;
    const input: DashboardInput = { period: { from: str(q.from), to: str(q.to), year: str(q.year) }, ...(str(q.asOf) ? { asOf: str(q.asOf) } : {}) };
    const data = await dashboardData(ctx, input);
    const form = periodForm(lang, input);
    if (!data.ok) {
      const body = `${form}<div role="alert"><p>${w.problems}</p><ul>${data.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul></div>`;
      return sendPage(reply, page(lang, w.title, body, { user, head: STYLE_EXTRA }), 400);
    }
    const periodQuery = query(input.period.year !== undefined ? { year: input.period.year } : { from: data.period.from, to: data.period.to });
    const asOfQuery = query({ asOf: input.asOf });
    const all = sections(lang, data, periodQuery, asOfQuery, ctx);
    const specs = Object.fromEntries(all.filter((s) => s.chart).map((s) => [s.id, s.chart]));
    const body = `${form}<p class="muted" id="period-note">${esc(w.periodNote(data.period.from, data.period.to, data.budgetYear))}</p>${overdueSection(lang, data, asOfQuery, ctx)}${all.map((s) => sectionHtml(lang, s)).join('')}<script type="application/json" id="dashboard-charts">${scriptJson(specs)}</script>${CHART_SCRIPT}`;
    return sendPage(reply, page(lang, w.title, body, { user, head: STYLE_EXTRA }));
  });

  app.get<{ Params: { file: string } }>('/app/reports/:file', async (req, reply) => {
    const lang = langOf(req);
    const user = userOf(req);
    if (!isManager(user)) return forbidden(reply, lang, user);
    const name = req.params.file.replace(/\.csv$/, '');
    const params = { ...(req.query as Record<string, unknown>) };
    delete params.lang;
    const text = (s: string, code: number) => reply.code(code).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(s);
    if (!req.params.file.endsWith('.csv') || (name !== LEAD_FUNNEL && !Object.hasOwn(REPORTS, name))) {
      return text(`no report named ${JSON.stringify(req.params.file)}; the reports: ${[...Object.keys(REPORTS), LEAD_FUNNEL].map((n) => `${n}.csv`).join(', ')}\n`, 404);
    }
    let t: ReportTable;
    try {
      if (name === LEAD_FUNNEL) {
        const by = params.by ?? 'source';
        const unknown = Object.keys(params).filter((k) => k !== 'by');
        const problems = [...unknown.map((k) => `${k}: not a parameter of the lead-funnel report (its parameters: by)`), ...(by === 'source' || by === 'agent' ? [] : [`by: expected source or agent, got ${JSON.stringify(by)}`])];
        if (problems.length) throw new ValidationError(problems);
        const rows = await leadConversion(ctx.db, by as 'source' | 'agent');
        t = { columns: [String(by), 'leads', 'contacted', 'qualified', 'deals', 'lost', 'conversion'], rows: rows.map((r) => [r.key, r.leads, r.contacted, r.qualified, r.deals, r.lost, r.conversion]) };
      } else {
        const def = REPORTS[name as ReportName];
        const result = await runReport(ctx.db, name, params, { nowMs: Date.now(), ...(ctx.clv ? { clv: ctx.clv } : {}) });
        t = (def.rows as (r: unknown) => ReportTable)(result);
      }
    } catch (err) {
      if (err instanceof ValidationError) return text(`invalid parameters:\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`, 400);
      throw err;
    }
    return reply.code(200).type('text/csv; charset=utf-8').header('cache-control', 'no-store').header('content-disposition', `attachment; filename="${name}.csv"`).send(csvOf(t));
  });

  const impactPage = (req: FastifyRequest, reply: FastifyReply, user: PageUser, lang: Lang, text: string, result = '', status = 200) => {
    const t = IMPACT[lang];
    const body = `<p>${t.intro}</p><p role="note" class="card"><strong>${t.nothingApplied}</strong></p>${result}${impactForm(lang, user, text)}`;
    return sendPage(reply, page(lang, t.title, body, { user, head: STYLE_EXTRA }), status);
  };

  app.get('/app/plan-impact', async (req, reply) => {
    const lang = langOf(req);
    const user = userOf(req);
    if (!isManager(user)) return forbidden(reply, lang, user);
    return impactPage(req, reply, user, lang, '');
  });

  app.post('/app/plan-impact', async (req, reply) => {
    if (!checkCsrf(req, reply)) return reply;
    const lang = langOf(req);
    const user = userOf(req);
    if (!isManager(user)) return forbidden(reply, lang, user);
    const text = String((req.body as { overrides?: unknown } | undefined)?.overrides ?? '');
    const read = readOverrides(lang, text);
    if ('problems' in read) {
      const alert = `<div role="alert" id="impact-problems"><p>${IMPACT[lang].invalid}</p><ul>${read.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul></div>`;
      return impactPage(req, reply, user, lang, text, alert, 400);
    }
    const result = await planImpact(ctx, read.overrides, Date.now(), (err, customerId) => req.log.warn({ err, customerId }, 'plan impact: status not readable'));
    return impactPage(req, reply, user, lang, text, impactResult(lang, result, ctx.planOverrides !== undefined));
  });
}
