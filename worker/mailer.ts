// The SMTP transport lives in lib/ (the worker's emails and the web app's sign-in links share it).
export * from '../lib/mailer';
