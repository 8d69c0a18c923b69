// Builds the activities' real dependencies from validated config and plan33's store: one place,
// used by `npm start` and the production worker.
import { loadAgentDirectory } from '../activities/agents';
import type { ActivityDeps } from '../activities';
import type { Config } from '../lib/config';
import { loadPlanOverrides } from '../lib/plan-overrides';
import { loadLeadSettings } from '../lib/lead-settings';
import type { Stores } from '../stores';
import { PgSegmentStore } from '../stores/segments';
import { createMailer } from './mailer';
import { createSmsClient } from './sms';

export function createDependencies(config: Config, stores: Stores): ActivityDeps & { mailer: ReturnType<typeof createMailer> } {
  const { accountSid, authToken } = config.twilio;
  return {
    mailer: createMailer(config.smtp),
    sms: accountSid && authToken ? createSmsClient({ ...config.twilio, accountSid, authToken }) : undefined,
    tasks: stores.tasks,
    ledger: stores.ledger,
    records: stores.records,
    contacts: stores.contacts,
    leads: stores.leads,
    segments: new PgSegmentStore(stores.db),
    leadSettings: loadLeadSettings(config.leadsFile),
    contactRules: config.contactRules,
    business: config.business,
    planOverrides: loadPlanOverrides(config.planOverridesFile),
    unsubscribe: config.unsubscribe,
    agents: loadAgentDirectory(config.agentsFile),
    crm: config.webhooks.crmUrl && config.webhooks.secret ? { url: config.webhooks.crmUrl, secret: config.webhooks.secret } : undefined,
    fulfilment: config.webhooks.fulfilmentUrl && config.webhooks.secret ? { url: config.webhooks.fulfilmentUrl, secret: config.webhooks.secret } : undefined,
    content: config.contentDir ? { dir: config.contentDir, graceHours: config.newsletterGraceHours } : undefined,
    operatorEmail: config.operatorEmail,
    completeHint: (taskId) => `POST ${config.publicBaseUrl}/v1/tasks/${taskId}/complete {"outcome":"reached","notes":"..."}  or  npx plan33 complete-call --task ${taskId} --outcome reached`,
  };
}
