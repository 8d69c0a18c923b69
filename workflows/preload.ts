// Libraries the customer-year uses, evaluated once per worker thread and shared by every
// workflow in it (the SDK's `preloadModules`, see worker/bundle.ts). Without this, the reusable
// V8 context keeps a module cache per workflow, and every cached customer carried its own copy
// of date-holidays with all its country data: about 0.9 MiB per customer.
// Only libraries without module state that changes belong here: the SDK deep-freezes what they
// export. zod does not qualify (its checks reset `lastIndex` on exported regexes, and it writes
// its locale into a global on first use), so every workflow still builds its own schemas.
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';

// Used, so webpack keeps them (luxon declares itself free of side effects).
if (typeof DateTime.fromMillis !== 'function' || typeof Holidays !== 'function') throw new Error('preload: a library is missing');
