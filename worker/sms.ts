// The real `twilio` client from config. With TWILIO_API_BASE set (npm start, simulate, tests)
// its HTTP client sends the same requests to that base URL instead of Twilio's API host.
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type { SmsClient } from '../activities';

class RebasedRequestClient extends twilio.RequestClient {
  constructor(private readonly base: string) {
    super();
  }
  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: opts.uri.replace(/^https:\/\/[^/]+/, this.base) });
  }
}

export interface SmsConfig {
  accountSid: string;
  authToken: string;
  from?: string;
  messagingServiceSid?: string;
  apiBase?: string;
}

export function createSmsClient(config: SmsConfig): { client: SmsClient; from?: string; messagingServiceSid?: string } {
  const client = twilio(config.accountSid, config.authToken, config.apiBase ? { httpClient: new RebasedRequestClient(config.apiBase) } : {});
  return { client, from: config.from, messagingServiceSid: config.messagingServiceSid };
}
