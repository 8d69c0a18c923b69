// Which holidays matter in a country, how much, and what they are called: the data behind the
// holiday cards of plan version 2 and later. Reviewed per country; one id (and one spelling, in
// English and Arabic) per holiday across countries. Pure data: safe in workflow code.
//
// - `rank`: 1 is what every household there marks (Eid al-Fitr in Saudi Arabia, Diwali in
//   India, Christmas in the US), 2 the national days and the next great festivals, 3 widely
//   kept days, 4 and above lesser ones. Cards go to the highest ranks first.
// - `names`: date-holidays' English names this entry covers (its date then comes from there).
// - `rule`: a date-holidays rule of plan33's own, where the library's date is wrong (Saudi Eids
//   start their official holidays on the eve; the card belongs on the day itself) or the
//   holiday is missing (Canada's Thanksgiving); it replaces the library's dates for `names`.
// - `dates`: a dated table where no rule can compute it (Hindu lunisolar festivals), source named.
// - `solemn` (on the name): a day of mourning or remembrance, never a greeting card.

export interface HolidayName {
  en: string;
  ar: string;
  solemn?: boolean;
}

/** Every holiday a card can carry (and the solemn days it must not), by id. */
export const HOLIDAY_NAMES: Record<string, HolidayName> = {
  'new-year': { en: "New Year's Day", ar: 'رأس السنة الميلادية' },
  ramadan: { en: 'Ramadan', ar: 'رمضان' },
  'eid-al-fitr': { en: 'Eid al-Fitr', ar: 'عيد الفطر' },
  'eid-al-adha': { en: 'Eid al-Adha', ar: 'عيد الأضحى' },
  'islamic-new-year': { en: 'Islamic New Year', ar: 'رأس السنة الهجرية' },
  mawlid: { en: "Prophet's Birthday", ar: 'المولد النبوي الشريف' },
  'isra-miraj': { en: "Isra and Mi'raj", ar: 'الإسراء والمعراج' },
  ashura: { en: 'Ashura', ar: 'عاشوراء', solemn: true },
  'founding-day': { en: 'Founding Day', ar: 'يوم التأسيس' },
  'flag-day': { en: 'Flag Day', ar: 'يوم العلم' },
  'national-day': { en: 'National Day', ar: 'اليوم الوطني' },
  'union-day': { en: 'National Day', ar: 'عيد الاتحاد' },
  'commemoration-day': { en: 'Commemoration Day', ar: 'يوم الشهيد', solemn: true },
  'sham-el-nessim': { en: 'Sham El Nessim', ar: 'شم النسيم' },
  'coptic-christmas': { en: 'Coptic Christmas', ar: 'عيد الميلاد المجيد' },
  'revolution-day-eg': { en: 'Revolution Day', ar: 'عيد ثورة 23 يوليو' },
  'armed-forces-day-eg': { en: 'Armed Forces Day', ar: 'عيد القوات المسلحة' },
  'sinai-liberation-day': { en: 'Sinai Liberation Day', ar: 'عيد تحرير سيناء' },
  'police-day': { en: 'Police Day', ar: 'عيد الشرطة' },
  'june-30': { en: 'June 30 Revolution', ar: 'ذكرى ثورة 30 يونيو' },
  'labour-day': { en: 'Labour Day', ar: 'عيد العمال' },
  diwali: { en: 'Diwali', ar: 'ديوالي' },
  holi: { en: 'Holi', ar: 'هولي' },
  'republic-day-in': { en: 'Republic Day', ar: 'يوم الجمهورية' },
  'independence-day': { en: 'Independence Day', ar: 'عيد الاستقلال' },
  'gandhi-jayanti': { en: 'Gandhi Jayanti', ar: 'ذكرى ميلاد غاندي' },
  'ambedkar-jayanti': { en: 'Ambedkar Jayanti', ar: 'ذكرى ميلاد أمبيدكار' },
  'pakistan-day': { en: 'Pakistan Day', ar: 'يوم باكستان' },
  'iqbal-day': { en: 'Iqbal Day', ar: 'يوم إقبال' },
  'quaid-e-azam-day': { en: 'Quaid-e-Azam Day', ar: 'يوم القائد الأعظم' },
  'youm-e-takbeer': { en: 'Youm-e-Takbeer', ar: 'يوم التكبير' },
  'kashmir-day': { en: 'Kashmir Solidarity Day', ar: 'يوم التضامن مع كشمير', solemn: true },
  'pancasila-day': { en: 'Pancasila Day', ar: 'يوم البانتشاسيلا' },
  nyepi: { en: 'Nyepi', ar: 'نيبي', solemn: true },
  vesak: { en: 'Vesak', ar: 'عيد فيساك' },
  'chinese-new-year': { en: 'Chinese New Year', ar: 'رأس السنة الصينية' },
  'democracy-day': { en: 'Democracy Day', ar: 'يوم الديمقراطية' },
  'childrens-day': { en: "Children's Day", ar: 'يوم الطفل' },
  'youth-day': { en: 'National Youth Day', ar: 'يوم الشباب الوطني' },
  christmas: { en: 'Christmas', ar: 'عيد الميلاد' },
  'christmas-eve': { en: 'Christmas Eve', ar: 'ليلة عيد الميلاد' },
  'boxing-day': { en: 'Boxing Day', ar: 'يوم الملاكمة' },
  easter: { en: 'Easter', ar: 'عيد الفصح' },
  'easter-monday': { en: 'Easter Monday', ar: 'اثنين الفصح' },
  'good-friday': { en: 'Good Friday', ar: 'الجمعة العظيمة', solemn: true },
  'maundy-thursday': { en: 'Maundy Thursday', ar: 'خميس العهد', solemn: true },
  'ash-wednesday': { en: 'Ash Wednesday', ar: 'أربعاء الرماد', solemn: true },
  'all-souls-day': { en: "All Souls' Day", ar: 'يوم الموتى', solemn: true },
  pentecost: { en: 'Pentecost', ar: 'عيد العنصرة' },
  ascension: { en: 'Ascension Day', ar: 'عيد الصعود' },
  assumption: { en: 'Assumption', ar: 'عيد انتقال العذراء' },
  'all-saints-day': { en: "All Saints' Day", ar: 'عيد جميع القديسين' },
  advent: { en: 'First Sunday of Advent', ar: 'الأحد الأول من زمن المجيء' },
  'valentines-day': { en: "Valentine's Day", ar: 'عيد الحب' },
  'mothers-day': { en: "Mother's Day", ar: 'عيد الأم' },
  'fathers-day': { en: "Father's Day", ar: 'عيد الأب' },
  halloween: { en: 'Halloween', ar: 'الهالوين' },
  'st-patricks-day': { en: "St. Patrick's Day", ar: 'عيد القديس باتريك' },
  thanksgiving: { en: 'Thanksgiving', ar: 'عيد الشكر' },
  'mlk-day': { en: 'Martin Luther King Jr. Day', ar: 'يوم مارتن لوثر كينغ' },
  'memorial-day-us': { en: 'Memorial Day', ar: 'يوم الذكرى', solemn: true },
  'veterans-day': { en: 'Veterans Day', ar: 'يوم المحاربين القدامى', solemn: true },
  'labor-day-us': { en: 'Labor Day', ar: 'عيد العمال' },
  juneteenth: { en: 'Juneteenth', ar: 'يوم التحرر' },
  'canada-day': { en: 'Canada Day', ar: 'يوم كندا' },
  'truth-and-reconciliation': { en: 'National Day for Truth and Reconciliation', ar: 'اليوم الوطني للحقيقة والمصالحة', solemn: true },
  'groundhog-day': { en: 'Groundhog Day', ar: 'يوم الغرير' },
  'constitution-day-mx': { en: 'Constitution Day', ar: 'يوم الدستور' },
  'benito-juarez': { en: "Benito Juárez's Birthday", ar: 'ذكرى ميلاد بينيتو خواريز' },
  'revolution-day-mx': { en: 'Revolution Day', ar: 'يوم الثورة المكسيكية' },
  guadalupe: { en: 'Day of the Virgin of Guadalupe', ar: 'يوم عذراء غوادالوبي' },
  'change-of-government-mx': { en: 'Change of Federal Government', ar: 'يوم انتقال السلطة الاتحادية' },
  carnival: { en: 'Carnival', ar: 'الكرنفال' },
  tiradentes: { en: "Tiradentes' Day", ar: 'يوم تيرادينتيس' },
  aparecida: { en: 'Our Lady of Aparecida', ar: 'يوم سيدة أباريسيدا' },
  'republic-day-br': { en: 'Republic Day', ar: 'يوم الجمهورية' },
  'black-awareness-day': { en: 'Black Awareness Day', ar: 'يوم الوعي الأسود' },
  'lovers-day': { en: "Lovers' Day", ar: 'يوم العشاق' },
  'early-may-bank-holiday': { en: 'Early May bank holiday', ar: 'عطلة أول مايو' },
  'german-unity-day': { en: 'Day of German Unity', ar: 'يوم الوحدة الألمانية' },
  'memorial-day-de': { en: 'Day of Mourning', ar: 'يوم الحداد الوطني', solemn: true },
  totensonntag: { en: 'Sunday of the Dead', ar: 'أحد الموتى', solemn: true },
  'day-of-prayer': { en: 'Day of Prayer and Repentance', ar: 'يوم الصلاة والتوبة', solemn: true },
  'bastille-day': { en: 'Bastille Day', ar: 'العيد الوطني الفرنسي' },
  've-day': { en: 'Victory in Europe Day', ar: 'يوم النصر في أوروبا', solemn: true },
  'armistice-day': { en: 'Armistice Day', ar: 'يوم الهدنة', solemn: true },
  'australia-day': { en: 'Australia Day', ar: 'يوم أستراليا' },
  'anzac-day': { en: 'Anzac Day', ar: 'يوم أنزاك', solemn: true },
  // The generic greetings that fill a year short of holidays (slots of their names).
  'international-day-of-happiness': { en: 'International Day of Happiness', ar: 'اليوم الدولي للسعادة' },
  'mid-year-greetings': { en: 'Mid-year greetings', ar: 'تهنئة منتصف العام' },
  'international-day-of-friendship': { en: 'International Day of Friendship', ar: 'اليوم الدولي للصداقة' },
  'world-gratitude-day': { en: 'World Gratitude Day', ar: 'اليوم العالمي للامتنان' },
  'world-kindness-day': { en: 'World Kindness Day', ar: 'اليوم العالمي للطف' },
  'season-s-greetings': { en: "Season's greetings", ar: 'تهاني الموسم' },
};

export interface CountryHoliday {
  id: string;
  rank: number;
  names?: string[];
  rule?: string;
  dates?: readonly string[];
  /** Years in which the country announced another day than the rule gives: year -> date (source named). */
  corrections?: Readonly<Record<string, string>>;
}

// Diwali (Lakshmi Puja) and Holi (Dhulandi), India, 2025-2035: the dates of python-holidays
// 0.109 (holidays/calendars/hindu.py, DIWALI_INDIA_DATES and HOLI_DATES), which follow the
// Government of India's holiday lists. Later years are to be added from the same source.
const DIWALI = ['2025-10-20', '2026-11-08', '2027-10-29', '2028-10-17', '2029-11-05', '2030-10-26', '2031-11-14', '2032-11-02', '2033-10-22', '2034-11-10', '2035-10-30'] as const;
const HOLI = ['2025-03-14', '2026-03-04', '2027-03-22', '2028-03-11', '2029-03-01', '2030-03-20', '2031-03-09', '2032-03-27', '2033-03-16', '2034-03-05', '2035-03-24'] as const;

const EID_AL_FITR = { id: 'eid-al-fitr', names: ['End of Ramadan (Eid al-Fitr)', 'Id el Fitr'] };
const EID_AL_ADHA = { id: 'eid-al-adha', names: ['Feast of the Sacrifice (Eid al-Adha)', 'Id el Kabir'] };
/** Both Eids, first rank, on the day itself: 1 Shawwal and 10 Dhu al-Hijjah. */
const EIDS: readonly CountryHoliday[] = [
  { ...EID_AL_FITR, rank: 1, rule: '1 Shawwal' },
  { ...EID_AL_ADHA, rank: 1, rule: '10 Dhu al-Hijjah' },
];
const RAMADAN = { id: 'ramadan', names: ['First day of Ramadan'], rule: '1 Ramadan' };
const HIJRI_NEW_YEAR = { id: 'islamic-new-year', names: ['Islamic New Year'], rule: '1 Muharram' };
const MAWLID = { id: 'mawlid', names: ['Birthday of Muhammad (Mawlid)'] };
const NEW_YEAR = { id: 'new-year', names: ["New Year's Day"], rule: '01-01' };
const CHRISTMAS = { id: 'christmas', names: ['Christmas Day'], rule: '12-25' };
const EASTER = { id: 'easter', names: ['Easter Sunday'], rule: 'easter' };
const MOTHERS_DAY = { id: 'mothers-day', names: ["Mother's Day"] };
const FATHERS_DAY = { id: 'fathers-day', names: ["Father's Day"] };

/** Per country, the holidays that rank, reviewed; anything else of the country ranks by its type. */
export const COUNTRY_HOLIDAYS: Record<string, readonly CountryHoliday[]> = {
  // The card belongs on the first day of each Eid (date-holidays starts Saudi Arabia's official
  // holidays on the eve: 30 Ramadan and the Day of Arafah).
  SA: [
    ...EIDS,
    { id: 'national-day', names: ['National Day'], rank: 2 },
    { id: 'founding-day', names: ['Founding Day'], rank: 2 },
    { ...RAMADAN, rank: 2 },
    { ...HIJRI_NEW_YEAR, rank: 3 },
    { id: 'flag-day', rule: '03-11 since 2023', rank: 4 },
  ],
  AE: [
    ...EIDS,
    { id: 'union-day', names: ['National Day'], rank: 1 },
    { ...RAMADAN, rank: 2 },
    { ...NEW_YEAR, rank: 3 },
    { ...HIJRI_NEW_YEAR, rank: 3 },
    { ...MAWLID, rank: 3 },
    { id: 'isra-miraj', names: ["Laylat al-Mi'raj"], rank: 5 },
  ],
  EG: [
    ...EIDS,
    { ...RAMADAN, rank: 2 },
    { id: 'sham-el-nessim', names: ['Sham El Nessim'], rank: 2 },
    { ...HIJRI_NEW_YEAR, rank: 3 },
    { ...MAWLID, rank: 3 },
    { id: 'revolution-day-eg', names: ['Revolution Day'], rank: 3 },
    { id: 'coptic-christmas', names: ['Christmas Day'], rank: 4 },
    { id: 'armed-forces-day-eg', names: ['Armed Forces Day'], rank: 4 },
    { id: 'sinai-liberation-day', names: ['Sinai Liberation Day'], rank: 5 },
    { id: 'police-day', names: ['National Police Day', 'Revolution Day 2011'], rank: 6 },
    { id: 'june-30', names: ['30 June Day'], rank: 6 },
    { id: 'labour-day', names: ['Labour Day'], rank: 6 },
  ],
  IN: [
    { id: 'diwali', dates: DIWALI, rank: 1 },
    { id: 'holi', dates: HOLI, rank: 1 },
    { id: 'independence-day', names: ['Independence Day'], rank: 2 },
    { id: 'republic-day-in', names: ['Republic Day'], rank: 2 },
    { id: 'gandhi-jayanti', names: ['Gandhi Jayanti'], rank: 3 },
    { ...NEW_YEAR, rank: 3 },
    { ...CHRISTMAS, rank: 4 },
    { id: 'ambedkar-jayanti', names: ['Ambedkar Jayanti'], rank: 5 },
  ],
  PK: [
    ...EIDS,
    { id: 'independence-day', names: ['Independence Day'], rank: 1 },
    { id: 'pakistan-day', names: ['Pakistan Day'], rank: 2 },
    { ...RAMADAN, rank: 2 },
    { ...MAWLID, rank: 3 },
    { id: 'quaid-e-azam-day', names: ['Quaid-e-Azam Day'], rank: 3 },
    { id: 'iqbal-day', names: ['Iqbal Day'], rank: 4 },
    { ...HIJRI_NEW_YEAR, rank: 4 },
    { id: 'youm-e-takbeer', names: ['Youm-e-Takbeer'], rank: 5 },
    { id: 'labour-day', names: ['Labour Day'], rank: 6 },
    { id: 'ashura', names: ['Ashura'], rank: 9 },
    { id: 'kashmir-day', names: ['Kashmir Day'], rank: 9 },
  ],
  // Lebaran is the first day of Shawwal (date-holidays lists the first two days).
  ID: [
    ...EIDS,
    { id: 'independence-day', names: ['Independence Day'], rank: 1 },
    { ...NEW_YEAR, rank: 2 },
    { ...RAMADAN, rank: 2 },
    { ...CHRISTMAS, rank: 3 },
    { ...HIJRI_NEW_YEAR, rank: 3 },
    // Indonesia's joint ministerial decree (SKB) for 2027 keeps Maulid Nabi on 15 August
    // (as python-holidays 0.109 has it); the computed 12 Rabi al-awwal is the 14th.
    { ...MAWLID, rank: 3, corrections: { '2027': '2027-08-15' } },
    { id: 'chinese-new-year', names: ['Chinese New Year'], rank: 4 },
    { id: 'pancasila-day', names: ['Pancasila Day'], rank: 4 },
    { id: 'isra-miraj', names: ["Laylat al-Mi'raj"], rank: 5 },
    { id: 'vesak', names: ['Vesak Day'], rank: 5 },
    { id: 'nyepi', names: ['Nyepi'], rank: 9 },
  ],
  NG: [
    { ...CHRISTMAS, rank: 1 },
    ...EIDS,
    { id: 'independence-day', names: ['Independence Day'], rank: 1 },
    { ...NEW_YEAR, rank: 2 },
    { ...EASTER, rank: 2 },
    { id: 'democracy-day', names: ['Democracy Day'], rank: 3 },
    { ...MAWLID, rank: 3 },
    { id: 'childrens-day', names: ["Children's Day"], rank: 4 },
    { id: 'youth-day', names: ['National Youth Day'], rank: 5 },
  ],
  US: [
    { ...CHRISTMAS, rank: 1 },
    { id: 'thanksgiving', names: ['Thanksgiving Day'], rank: 1 },
    { id: 'independence-day', names: ['Independence Day'], rank: 1, rule: '07-04' },
    { ...NEW_YEAR, rank: 2 },
    { ...EASTER, rank: 2 },
    { ...MOTHERS_DAY, rank: 2 },
    { id: 'valentines-day', names: ["Valentine's Day"], rank: 3 },
    { ...FATHERS_DAY, rank: 3 },
    { id: 'halloween', names: ['Halloween'], rank: 3 },
    { id: 'st-patricks-day', names: ["St. Patrick's Day"], rank: 4 },
    { id: 'labor-day-us', names: ['Labour Day'], rank: 4 },
    { id: 'juneteenth', names: ['Juneteenth'], rank: 4 },
    { id: 'mlk-day', names: ['Martin Luther King Jr. Day'], rank: 5 },
    { id: 'memorial-day-us', names: ['Memorial Day'], rank: 9 },
    { id: 'veterans-day', names: ['Veterans Day'], rank: 9 },
  ],
  CA: [
    { ...CHRISTMAS, rank: 1 },
    { id: 'canada-day', names: ['Canada Day'], rank: 1 },
    { id: 'thanksgiving', rule: '2nd monday in October', rank: 1 },
    { ...NEW_YEAR, rank: 2 },
    { ...EASTER, rank: 2 },
    { ...MOTHERS_DAY, rank: 2 },
    { id: 'valentines-day', names: ["Valentine's Day"], rank: 3 },
    { ...FATHERS_DAY, rank: 3 },
    { id: 'halloween', names: ['Halloween'], rank: 3 },
    { id: 'st-patricks-day', names: ['St. Patrick’s Day'], rank: 4 },
    { id: 'groundhog-day', names: ['Groundhog Day'], rank: 8 },
    { id: 'truth-and-reconciliation', names: ['National Day for Truth and Reconciliation'], rank: 9 },
  ],
  MX: [
    { ...CHRISTMAS, rank: 1 },
    { id: 'independence-day', names: ['Independence Day'], rank: 1 },
    { ...NEW_YEAR, rank: 2 },
    { id: 'mothers-day', names: ["Mother's Day"], rank: 2 },
    { id: 'guadalupe', names: ['Day of the Virgin of Guadalupe'], rank: 2 },
    { ...EASTER, rank: 3 },
    { id: 'revolution-day-mx', names: ['Revolution Day'], rank: 3 },
    { id: 'constitution-day-mx', names: ['Constitution Day'], rank: 4 },
    { id: 'benito-juarez', names: ["Benito Juárez's birthday"], rank: 5 },
    // On 1 October since the 2024 reform (date-holidays still has 1 December).
    { id: 'change-of-government-mx', names: ['Change of Federal Government'], rule: '10-01 every 6 years since 2024', rank: 8 },
    { id: 'labour-day', names: ['Labour Day'], rank: 5 },
  ],
  // Carnival's great days are Monday and Tuesday (date-holidays also lists the Saturday before).
  BR: [
    { ...CHRISTMAS, rank: 1 },
    { id: 'carnival', names: ['Carnival'], rule: 'easter -48', rank: 1 },
    { ...NEW_YEAR, rank: 2 },
    { ...EASTER, rank: 2 },
    { ...MOTHERS_DAY, rank: 2 },
    { id: 'independence-day', names: ['Independence Day'], rank: 2 },
    { id: 'lovers-day', names: ["Lovers' Day"], rank: 3 },
    { ...FATHERS_DAY, rank: 3 },
    { id: 'aparecida', names: ['Our Lady of Aparecida'], rank: 4 },
    { id: 'tiradentes', names: ["Tiradentes' Day"], rank: 5 },
    { id: 'republic-day-br', names: ['Republic Day'], rank: 5 },
    { id: 'black-awareness-day', names: ['Black Awareness Day'], rank: 5 },
  ],
  GB: [
    { ...CHRISTMAS, rank: 1 },
    { ...NEW_YEAR, rank: 2 },
    { ...EASTER, rank: 2 },
    { ...MOTHERS_DAY, rank: 2 },
    { id: 'valentines-day', rule: '02-14', rank: 3 },
    { ...FATHERS_DAY, rank: 3 },
    { id: 'halloween', rule: '10-31', rank: 4 },
    { id: 'boxing-day', names: ['Boxing Day'], rank: 5 },
    { id: 'easter-monday', names: ['Easter Monday'], rank: 6 },
    { id: 'early-may-bank-holiday', names: ['Early May bank holiday'], rank: 7 },
  ],
  DE: [
    { ...CHRISTMAS, rank: 1 },
    { ...NEW_YEAR, rank: 2 },
    { ...EASTER, rank: 2 },
    { id: 'german-unity-day', names: ['National Holiday'], rank: 2 },
    { id: 'advent', names: ['1. Advent'], rank: 3 },
    { ...MOTHERS_DAY, rank: 3 },
    { id: 'valentines-day', names: ["Valentine's Day"], rank: 4 },
    { id: 'pentecost', names: ['Pentecost'], rank: 4 },
    { id: 'labour-day', names: ['Labour Day'], rank: 5 },
    { id: 'ascension', names: ['Ascension Day'], rank: 5 },
    { id: 'memorial-day-de', names: ['Memorial Day'], rank: 9 },
    { id: 'totensonntag', names: ['Totensonntag'], rank: 9 },
    { id: 'day-of-prayer', names: ['Day of Prayer and Repentance'], rank: 9 },
    { id: 'ash-wednesday', names: ['Ash Wednesday'], rank: 9 },
    { id: 'maundy-thursday', names: ['Maundy Thursday'], rank: 9 },
    { id: 'all-souls-day', names: ["All Souls' Day"], rank: 9 },
  ],
  FR: [
    { ...CHRISTMAS, rank: 1 },
    { ...NEW_YEAR, rank: 2 },
    { id: 'bastille-day', names: ['Bastille Day'], rank: 2 },
    { ...EASTER, rank: 2 },
    { ...MOTHERS_DAY, rank: 3 },
    { id: 'assumption', names: ['Assumption'], rank: 4 },
    { id: 'all-saints-day', names: ["All Saints' Day"], rank: 4 },
    { id: 'labour-day', names: ['Labour Day'], rank: 5 },
    { id: 'pentecost', names: ['Pentecost'], rank: 5 },
    { id: 've-day', names: ['Victory Day'], rank: 9 },
    { id: 'armistice-day', names: ['Armistice Day'], rank: 9 },
  ],
  // Australia Day is carded on 26 January itself, not on the Monday holiday.
  AU: [
    { ...CHRISTMAS, rank: 1 },
    { id: 'australia-day', names: ['Australia Day'], rule: '01-26', rank: 1 },
    { ...NEW_YEAR, rank: 2 },
    { ...EASTER, rank: 2 },
    { ...MOTHERS_DAY, rank: 2 },
    { ...FATHERS_DAY, rank: 3 },
    { id: 'boxing-day', names: ['Boxing Day'], rank: 4 },
    { id: 'anzac-day', names: ['Anzac Day'], rank: 9 },
  ],
};

/** Rank of a holiday no country list names, by its date-holidays type. */
export const DEFAULT_RANK_BY_TYPE: Record<string, number> = { public: 5, observance: 6, optional: 7, bank: 8, school: 9 };

/**
 * Names of solemn days in date-holidays (any country): never a greeting card, whether or not a
 * country list names them. Matched as whole words, case-insensitively.
 */
export const SOLEMN_NAME_PATTERNS: readonly RegExp[] = [
  /good friday/i,
  /holy (thursday|saturday)|maundy thursday/i,
  /ash wednesday/i,
  /ashura/i,
  /\b(memorial|remembrance|mourning|commemoration|martyrs?'?|martyrdom|heroes'? remembrance)\b/i,
  /\bvictims?\b|\bgenocide\b|\bholocaust\b/i,
  /truth and reconciliation/i,
  /anzac/i,
  /all souls/i,
  /totensonntag|day of prayer and repentance/i,
  /armistice|veterans/i,
  /kashmir/i,
  /democracy and national unity/i,
  /nyepi/i,
  /day of the dead|día de (los )?muertos/i,
];

export function isSolemnName(name: string): boolean {
  return SOLEMN_NAME_PATTERNS.some((p) => p.test(name));
}
