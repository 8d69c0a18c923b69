// The agents directory lives in lib/ (the worker's activities and the web app's sign-in both read it).
export * from '../lib/agents';
