// luxon, as plan/ and the workflows use it: the same library, with its zone check remembered.
//
// luxon checks a zone name each time a DateTime is made with one (`{ zone: 'Asia/Riyadh' }`:
// normalizeZone -> IANAZone.isValidSpecifier -> isValidZone), by constructing an
// Intl.DateTimeFormat, and keeps no answer. Planning a year makes thousands of DateTimes: in the
// bench's profile of a worker planning new customers this check was the workflow thread's
// costliest function of plan33's own. A valid name stays valid for the life of the process (the
// ICU data does not change under it), so the valid ones are remembered here; invalid names are
// not (they could be anything a caller sends), and are checked again each time. Deterministic:
// the answers are those luxon gives.
import { IANAZone } from 'luxon';

const validZones = new Set<string>();
const uncached = IANAZone.isValidZone.bind(IANAZone);
if (!(IANAZone.isValidZone as { remembered?: boolean }).remembered) {
  const isValidZone = (zone: string): boolean => {
    if (validZones.has(zone)) return true;
    const ok = uncached(zone);
    if (ok && typeof zone === 'string') validZones.add(zone);
    return ok;
  };
  IANAZone.isValidZone = Object.assign(isValidZone, { remembered: true });
}

export * from 'luxon';
