// Builds the activities' real dependencies from validated config: one place, used by
// `npm start` and the production worker.
import { join } from 'node:path';
import { loadAgentDirectory } from '../activities/agents';
import { FileContactIndex } from '../activities/contacts';
import { FileDeliveryLedger } from '../activities/delivery-ledger';
import { FolderTaskSink } from '../activities/task-sink';
import type { ActivityDeps } from '../activities';
import type { Config } from '../lib/config';
import { loadPlanOverrides } from '../lib/plan-overrides';
import { createMailer } from './mailer';
import { createSmsClient } from './sms';

export function createDependencies(config: Config): ActivityDeps & { mailer: ReturnType<typeof createMailer> } {
  const { accountSid, authToken } = config.twilio;
  return {
    mailer: createMailer(config.smtp),
    sms: accountSid && authToken ? createSmsClient({ ...config.twilio, accountSid, authToken }) : undefined,
    tasks: new FolderTaskSink(join(config.dataDir, 'tasks')),
    ledger: new FileDeliveryLedger(join(config.dataDir, 'ledger')),
    business: config.business,
    planOverrides: loadPlanOverrides(config.planOverridesFile),
    unsubscribe: config.unsubscribe,
    agents: loadAgentDirectory(config.agentsFile),
    contacts: new FileContactIndex(join(config.dataDir, 'contacts')),
    crm: config.webhooks.crmUrl && config.webhooks.secret ? { url: config.webhooks.crmUrl, secret: config.webhooks.secret } : undefined,
    fulfilment: config.webhooks.fulfilmentUrl && config.webhooks.secret ? { url: config.webhooks.fulfilmentUrl, secret: config.webhooks.secret } : undefined,
    content: config.contentDir ? { dir: config.contentDir, graceHours: config.newsletterGraceHours } : undefined,
    operatorEmail: config.operatorEmail,
    completeHint: (taskId) => `POST ${config.publicBaseUrl}/v1/tasks/${taskId}/complete {"outcome":"reached","notes":"..."}  or  npx plan33 complete-call --task ${taskId} --outcome reached`,
  };
}
