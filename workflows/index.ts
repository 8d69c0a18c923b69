// The workflow bundle's entry: every workflow type the worker registers.
export { customerYear } from './customer-year';
export { leadJourney } from './lead';
export { segmentRefresh } from './segments';
