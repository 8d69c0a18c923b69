// The API's options from the config, as production builds them (api/main.ts) and as the load
// run's API process does (scripts/load-child.ts): one place, so they cannot drift apart.
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../lib/config';
import { loadAgentDirectory } from '../lib/agents';
import { loadLeadSettings } from '../lib/lead-settings';
import { createMailer } from '../lib/mailer';
import { loadPlanOverrides } from '../lib/plan-overrides';
import type { Stores } from '../stores';
import type { ApiOptions } from './server';
import { webOptionsFrom } from './web';

export function apiOptionsFrom(config: Config, io: { client: Client; stores: Pick<Stores, 'contacts' | 'db'>; apiKey: string; logger: Logger }): ApiOptions {
  return {
    client: io.client,
    taskQueue: config.temporal.taskQueue,
    apiKey: io.apiKey,
    publicBaseUrl: config.publicBaseUrl,
    unsubscribeSecret: config.unsubscribe?.secret,
    twilioAuthToken: config.twilio.authToken,
    webhookSecret: config.webhooks.secret,
    contacts: io.stores.contacts,
    db: io.stores.db,
    sendingHours: config.sendingHours,
    holdoutPercent: config.holdoutPercent,
    apiKeys: config.api.apiKeys,
    ...(config.encryptionKeys ? { codec: { keys: config.encryptionKeys, uiOrigin: config.temporalUiOrigin } } : {}),
    web: webOptionsFrom(config, { agents: loadAgentDirectory(config.agentsFile), mailer: createMailer(config.smtp), planOverrides: loadPlanOverrides(config.planOverridesFile) }),
    leadSettings: loadLeadSettings(config.leadsFile),
    formSecret: config.form.secret,
    formPerMinute: config.form.perMinute,
    trustProxy: config.trustProxy,
    clv: config.clv,
    logger: io.logger,
  };
}
