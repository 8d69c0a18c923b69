// The workflow bundle's entry (worker/bundle.ts): evaluated once per workflow, so it holds
// nothing but a reference to the workflow functions that ./preload.ts evaluated once for the
// whole worker thread. Without a preload (a context per workflow), the usual import.
import { sharedWorkflows } from './preload';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const workflows = sharedWorkflows() ?? (require('./index') as typeof import('./index'));

export const customerYear = workflows.customerYear;
export const leadJourney = workflows.leadJourney;
export const segmentRefresh = workflows.segmentRefresh;
