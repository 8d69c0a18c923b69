// The words of every customer-facing touch, in English and Arabic. One function per language
// keeps each language readable as a whole; both return the same shape.
import { HOLIDAY_NAMES } from '../plan/holiday-catalogue';
import type { Customer } from '../plan/customer';
import type { Touch } from '../plan/touch';

export interface Business {
  name: string;
  postalAddress: string;
  mailFrom: string;
  referralUrl: string;
}

export interface TouchContext {
  plan: string;
  planYear: number;
  /** The agent's notes from the reached call a follow-up letter thanks for. */
  callNotes?: string;
  /** This month's issue from the content folder, in the customer's language. */
  newsletter?: { subject: string; paragraphs: string[] };
  /** The welcome issue after the deal: the one-question link, "How did you hear about us?". */
  sourceQuestionUrl?: string;
  /** The touch's key: referral links carry it (`?ref=`), so a referral knows which touch asked. */
  touchKey?: string;
  /** An NPS survey's signed link to the survey page (lib/survey-link.ts). */
  surveyUrl?: string;
  /** The customer's signed link to their preference page (lib/preference-link.ts): in the email's footer. */
  preferencesUrl?: string;
}

/** The business's referral link, carrying the touch that asks (referral attribution). */
export function referralLink(business: Pick<Business, 'referralUrl'>, touchKey?: string): string {
  if (!touchKey) return business.referralUrl;
  return `${business.referralUrl}${business.referralUrl.includes('?') ? '&' : '?'}ref=${encodeURIComponent(touchKey)}`;
}

export type Language = 'en' | 'ar';

export interface TouchCopy {
  lang: Language;
  dir: 'ltr' | 'rtl';
  subject: string;
  greeting: string;
  paragraphs: string[];
  /** Why and how to refer: on every customer-facing message. */
  referral: string;
  referralCta: string;
  signOff: string;
  /** The SMS hint that STOP opts out. */
  stopHint: string;
  /** The footer's link to the preference page (when the email carries one). */
  preferencesLink: string;
  /** A prospect's message (the 8x8): `referral` says how to reach the business, not how to refer. */
  prospect: boolean;
}

export function languageOf(customer: Pick<Customer, 'locale'>): Language {
  return customer.locale.startsWith('ar') ? 'ar' : 'en';
}

/** Arabic names of the holidays of plan version 1 (version 2 cards name a catalogue id in their slot). */
const AR_HOLIDAYS: Record<string, string> = {
  'Eid al-Fitr': 'عيد الفطر',
  'Eid al-Adha': 'عيد الأضحى',
  'Islamic New Year': 'رأس السنة الهجرية',
  Ramadan: 'رمضان',
  'First day of Ramadan': 'أول أيام رمضان',
  'Founding Day': 'يوم التأسيس',
  'National Day': 'اليوم الوطني',
  'Flag Day': 'يوم العلم',
  "New Year's Day": 'رأس السنة الميلادية',
  "Mother's Day": 'عيد الأم',
};

/**
 * The holiday's Arabic name: plan33's catalogue (plan/holiday-catalogue.ts, by the card's slot
 * `holiday-<id>`), else the version 1 list; undefined when none is known, so that an Arabic
 * card never carries an English name.
 */
export function arabicHolidayName(touch: Pick<Touch, 'slot' | 'occasion' | 'title'>): string | undefined {
  const id = /^(holiday|remembrance)-/.test(touch.slot ?? '') ? touch.slot!.replace(/^(holiday|remembrance)-/, '') : undefined;
  return (id ? HOLIDAY_NAMES[id]?.ar : undefined) ?? AR_HOLIDAYS[touch.occasion ?? touch.title];
}

const MONTHS_AR = ['يناير', 'فبراير', 'مارس', 'أبريل', 'مايو', 'يونيو', 'يوليو', 'أغسطس', 'سبتمبر', 'أكتوبر', 'نوفمبر', 'ديسمبر'];
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function english(customer: Customer, touch: Touch, business: Business, context?: TouchContext): Pick<TouchCopy, 'subject' | 'paragraphs'> {
  const name = business.name;
  if (touch.kind === 'newsletter' && context?.newsletter) return context.newsletter;
  switch (touch.kind) {
    case 'newsletter':
      return { subject: `${name}: your ${touch.title}`, paragraphs: [`Here is your ${touch.title}: news, useful tips and stories from the people at ${name}.`] };
    case 'holiday-card':
      return { subject: `${touch.title} greetings from ${name}`, paragraphs: [`Warm wishes for ${touch.occasion ?? touch.title} to you and your family from all of us at ${name}.`] };
    case 'personal-card':
      return { subject: `${touch.title}, from ${name}`, paragraphs: [`${touch.title}! We are thinking of you today and wish you every happiness.`] };
    case 'follow-up-letter':
      return {
        subject: `Great talking to you, ${customer.name.first}`,
        paragraphs: [
          'Thank you for taking the time to talk with us. It was great to hear how things are going.',
          ...(context?.callNotes ? [`As we discussed: “${context.callNotes}”`] : []),
          'If there is anything we can do for you, just reply to this letter.',
        ],
      };
    case 'give-away':
      return { subject: `A small gift from ${name}: ${touch.title}`, paragraphs: [`We hope this ${touch.title} is useful to you all year round.`] };
    case 'value-added':
      return touch.occasion === 'referral-thank-you'
        ? { subject: `Thank you for your referral, ${customer.name.first}`, paragraphs: [`Thank you for trusting us with someone you care about. Referrals like yours are how ${name} grows.`] }
        : { subject: `${touch.title}, from ${name}`, paragraphs: [`Something useful for you: ${touch.title}. With our compliments.`] };
    case 'call':
      return { subject: touch.title, paragraphs: [`A call from your ${name} agent.`] };
    case 'prospect-letter':
      return prospectEnglish(touch, name);
    case 'reactivation-letter':
      return {
        remind: { subject: `It has been a while, ${customer.name.first}`, paragraphs: [`It has been some time since we last worked together, and we have been thinking of you. Whatever you are planning next, ${name} is here for you.`] },
        'ask-why': { subject: `How could we do better for you, ${customer.name.first}?`, paragraphs: ['We would value your honest view: what would make us the first people you call for your next move? Just reply to this letter; every answer is read.'] },
        offer: { subject: `Something for you from ${name}`, paragraphs: [`As a valued past client, you are welcome to a free market appraisal of your home or a consultation on your next move, whenever suits you. Reply to this letter and we will arrange it.`] },
      }[touch.occasion ?? ''] ?? { subject: `${touch.title}, from ${name}`, paragraphs: [`${touch.title}.`] };
    case 'remembrance-card':
      // A day of mourning or remembrance: no greeting, no wishes, nothing to sell.
      return { subject: `Remembering, on ${touch.title}`, paragraphs: [`On ${touch.title}, all of us at ${name} pause to remember with you.`] };
    case 'nps-survey':
      return {
        subject: `${customer.name.first}, how likely are you to recommend ${name}?`,
        paragraphs: [`Three quick questions, one minute: how likely are you to recommend ${name} to a friend, why, and what would earn a 10? ${context?.surveyUrl ?? ''}`.trim(), 'Every answer is read by the people who serve you.'],
      };
    case 'referral-ask':
      return {
        subject: `Thank you, ${customer.name.first}: may we help someone you know?`,
        paragraphs: [`Thank you for your kind words about ${name}. If a friend, neighbour or colleague could use the same care, we would be honoured to help them too.`],
      };
  }
}

function arabic(customer: Customer, touch: Touch, business: Business, context?: TouchContext): Pick<TouchCopy, 'subject' | 'paragraphs'> {
  const name = business.name;
  const holiday = arabicHolidayName(touch);
  if (touch.kind === 'newsletter' && context?.newsletter) return context.newsletter;
  switch (touch.kind) {
    case 'newsletter': {
      const m = /^(\w+) (\d{4}) newsletter$/.exec(touch.title);
      const issue = m ? `نشرة ${MONTHS_AR[MONTHS_EN.indexOf(m[1]!)] ?? m[1]} ${m[2]}` : 'نشرتنا الشهرية';
      return { subject: `${name}: ${issue}`, paragraphs: [`إليك ${issue}: أخبار ونصائح مفيدة وقصص من فريق ${name}.`] };
    }
    case 'holiday-card':
      return holiday
        ? { subject: `تهنئة ${holiday} من ${name}`, paragraphs: [`كل عام وأنتم بخير. أطيب التهاني بمناسبة ${holiday} لكم ولعائلتكم من جميع أسرة ${name}.`] }
        : { subject: `تهنئة من ${name}`, paragraphs: [`كل عام وأنتم بخير. أطيب التهاني بهذه المناسبة لكم ولعائلتكم من جميع أسرة ${name}.`] };
    case 'personal-card':
      return { subject: `تهنئة خاصة من ${name}`, paragraphs: [touch.occasion === 'birthday' ? 'عيد ميلاد سعيد! نتمنى لك عامًا مليئًا بالسعادة والنجاح.' : 'نفكر فيك اليوم ونتمنى لك كل السعادة.'] };
    case 'follow-up-letter':
      return {
        subject: `سعدنا بالحديث معك يا ${customer.name.first}`,
        paragraphs: [
          'شكرًا لك على وقتك. سعدنا كثيرًا بالاطمئنان عليك.',
          ...(context?.callNotes ? [`كما تحدثنا: «${context.callNotes}»`] : []),
          'إن كان بوسعنا خدمتك بأي شيء، فقط رُدّ على هذه الرسالة.',
        ],
      };
    case 'give-away':
      return { subject: `هدية بسيطة من ${name}`, paragraphs: [`نرجو أن تكون هذه الهدية (${touch.title}) مفيدة لك طوال العام.`] };
    case 'value-added':
      return touch.occasion === 'referral-thank-you'
        ? { subject: `شكرًا لتوصيتك يا ${customer.name.first}`, paragraphs: [`شكرًا لثقتك بنا وتعريفنا بمن تهتم لأمرهم. توصياتكم هي سر نمو ${name}.`] }
        : { subject: `هدية مفيدة من ${name}`, paragraphs: [`شيء مفيد لك: ${touch.title}. مع تحياتنا.`] };
    case 'call':
      return { subject: touch.title, paragraphs: [`مكالمة من ممثلك في ${name}.`] };
    case 'prospect-letter':
      return prospectArabic(touch, name);
    case 'reactivation-letter':
      return {
        remind: { subject: `مضى وقت طويل يا ${customer.name.first}`, paragraphs: [`مضى بعض الوقت منذ تعاملنا معًا آخر مرة، ولم ننسَك. أيًّا كانت خطوتك القادمة، فريق ${name} هنا من أجلك.`] },
        'ask-why': { subject: `كيف نخدمك بشكل أفضل يا ${customer.name.first}؟`, paragraphs: ['يهمنا رأيك الصادق: ما الذي يجعلنا أول من تتصل به في خطوتك القادمة؟ فقط ردّ على هذه الرسالة، فكل إجابة تُقرأ باهتمام.'] },
        offer: { subject: `هدية لك من ${name}`, paragraphs: ['بصفتك عميلًا عزيزًا، يسعدنا أن نقدّم لك تقييمًا مجانيًا لعقارك أو استشارة لخطوتك القادمة متى شئت. ردّ على هذه الرسالة وسنرتّب ذلك.'] },
      }[touch.occasion ?? ''] ?? { subject: `رسالة من ${name}`, paragraphs: ['نرجو أن تجد في هذه الرسالة ما يفيدك.'] };
    case 'nps-survey':
      return {
        subject: `${customer.name.first}، ما مدى احتمال أن توصي بـ${name}؟`,
        paragraphs: [`ثلاثة أسئلة سريعة في دقيقة واحدة: ما مدى احتمال أن توصي بـ${name} لصديق، ولماذا، وما الذي يجعل تقييمك 10؟ ${context?.surveyUrl ?? ''}`.trim(), 'كل إجابة يقرؤها الفريق الذي يخدمك.'],
      };
    case 'referral-ask':
      return {
        subject: `شكرًا لك يا ${customer.name.first}: هل نساعد أحدًا تعرفه؟`,
        paragraphs: [`شكرًا لكلماتك الطيبة عن ${name}. إن كان لديك صديق أو جار أو زميل يحتاج الاهتمام نفسه، فيسعدنا أن نخدمه أيضًا.`],
      };
    case 'remembrance-card':
      return holiday
        ? { subject: `في ${holiday}`, paragraphs: [`في ${holiday}، نقف معكم وقفة ذكرى وتأمل، من جميع أسرة ${name}.`] }
        : { subject: `في ذكرى هذا اليوم`, paragraphs: [`في هذا اليوم، نقف معكم وقفة ذكرى وتأمل، من جميع أسرة ${name}.`] };
  }
}

// The 8x8's letters, by step id (plan/prospect.ts); a step of the business's own gets its title.
function prospectEnglish(touch: Touch, name: string): Pick<TouchCopy, 'subject' | 'paragraphs'> {
  const words: Record<string, string[]> = {
    welcome: [`Thank you for getting in touch with ${name}. We have noted what you are looking for, and your agent will contact you shortly.`, 'Whatever stage you are at, we are glad to help, with no obligation.'],
    'buyers-guide': ['Here is how we help people in your position: we listen first, look for the options that fit you, and handle the paperwork with you, step by step.'],
    'market-update': ['Here is what is happening in your area this month: prices, new listings, and what they could mean for you.'],
    'client-stories': ['People with the same questions came to us before you. Here is how we helped them find the right place.'],
  };
  return { subject: `${touch.title} | ${name}`, paragraphs: words[touch.occasion ?? ''] ?? [`${touch.title}: something we hope is useful to you.`] };
}

function prospectArabic(touch: Touch, name: string): Pick<TouchCopy, 'subject' | 'paragraphs'> {
  const words: Record<string, [string, string[]]> = {
    welcome: ['شكرًا لتواصلك معنا', [`شكرًا لتواصلك مع ${name}. سجّلنا ما تبحث عنه، وسيتواصل معك ممثلنا قريبًا.`, 'أيًّا كانت المرحلة التي وصلت إليها، يسعدنا أن نساعدك دون أي التزام.']],
    'buyers-guide': ['كيف نساعدك: دليل خطوتك القادمة', ['هكذا نساعد من هم في مثل موقفك: نستمع أولًا، ونبحث عن الخيارات التي تناسبك، وننجز الأوراق معك خطوة بخطوة.']],
    'market-update': ['سوق منطقتك هذا الشهر', ['إليك ما يحدث في منطقتك هذا الشهر: الأسعار والعروض الجديدة وما قد تعنيه لك.']],
    'client-stories': ['كيف ساعدنا أشخاصًا مثلك', ['جاءنا قبلك أشخاص لديهم الأسئلة نفسها، وهذه قصص عن كيف ساعدناهم في إيجاد المكان المناسب.']],
  };
  const [subject, paragraphs] = words[touch.occasion ?? ''] ?? ['رسالة من فريقنا', ['نرجو أن تجد في هذه الرسالة ما يفيدك.']];
  return { subject: `${subject} | ${name}`, paragraphs };
}

/** A prospect (the 8x8) gets no referral ask: the closing block says how the business can help instead. */
const isProspect = (context?: TouchContext) => context?.plan === '8x8';

/** The welcome issue's one question, appended to its words. */
function withSourceQuestion(words: Pick<TouchCopy, 'subject' | 'paragraphs'>, lang: Language, url?: string): Pick<TouchCopy, 'subject' | 'paragraphs'> {
  if (!url) return words;
  const ask = lang === 'ar' ? `سؤال واحد إن سمح وقتك: كيف سمعت عنا أول مرة؟ ${url}` : `One question, if you have a moment: how did you first hear about us? ${url}`;
  return { ...words, paragraphs: [...words.paragraphs, ask] };
}

export function touchCopy(customer: Customer, touch: Touch, business: Business, context?: TouchContext): TouchCopy {
  const lang = languageOf(customer);
  const prospect = isProspect(context);
  if (lang === 'ar') {
    return {
      lang,
      dir: 'rtl',
      ...withSourceQuestion(arabic(customer, touch, business, context), lang, context?.sourceQuestionUrl),
      greeting: `عزيزي/عزيزتي ${customer.name.first}،`,
      referral: prospect
        ? `لديك سؤال عن الشراء أو البيع أو الإيجار؟ ردّ على هذه الرسالة أو اتصل بنا، ويسعد فريق ${business.name} بمساعدتك.`
        : `هل تعرف شخصًا سيقدّر الاهتمام الذي تحظى به من ${business.name}؟ عرّفنا به: ${referralLink(business, context?.touchKey)} — فالتوصية أجمل شكر نتلقاه.`,
      referralCta: prospect ? 'تحدّث إلينا' : 'أرسل توصية',
      signOff: `مع أطيب التحيات، فريق ${business.name}`,
      stopHint: 'للإيقاف أرسل STOP',
      preferencesLink: 'إدارة تفضيلاتك',
      prospect,
    };
  }
  return {
    lang,
    dir: 'ltr',
    ...withSourceQuestion(english(customer, touch, business, context), lang, context?.sourceQuestionUrl),
    greeting: `Dear ${customer.name.first},`,
    referral: prospect
      ? `Questions about buying, selling or renting? Reply to this message or call us: the ${business.name} team is glad to help.`
      : `Know someone who would value the care you get from ${business.name}? Introduce them: ${referralLink(business, context?.touchKey)} — a referral is the best thank-you we can receive.`,
    referralCta: prospect ? 'Talk to us' : 'Refer a friend',
    signOff: `Warm regards, the ${business.name} team`,
    stopHint: 'Reply STOP to opt out.',
    preferencesLink: 'Manage your preferences',
    prospect,
  };
}
