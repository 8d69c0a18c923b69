// Who the agents are: their email for call tasks, who covers for them while they are away,
// and the manager an overdue task is escalated to. Read from PLAN33_AGENTS_FILE at start-up
// and validated whole, so a typo in a `coveredBy` is an error at start, not a lost call.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeIssues } from '../plan/customer';
import { isoDate } from '../plan/dates';

const agentId = z.string().trim().min(1).max(64);

const agentSchema = z
  .object({
    id: agentId,
    name: z.string().trim().min(1).max(100),
    email: z.email({ message: 'expected an email address' }).optional(),
    /** Another agent's id: overdue tasks are escalated to them. */
    manager: agentId.optional(),
    /** Away (holiday, sick leave): new and open tasks go to `coveredBy`. */
    away: z.boolean().default(false),
    /** Away until this local day (inclusive); unset with `away: true` means until further notice. */
    awayUntil: isoDate.optional(),
    /** Away from this local day (inclusive), e.g. a planned holiday: with `awayUntil`, a window. */
    awayFrom: isoDate.optional(),
    coveredBy: agentId.optional(),
    /** Takes new leads (Assign); a manager who only supervises sets false. */
    takesLeads: z.boolean().default(true),
    /** Share of new leads: 2 takes twice the open load of 1. */
    weight: z.number().positive().max(100).default(1),
    /** Most new tasks (first contacts, calls) a day: past it, new leads go to someone else. */
    dailyCap: z.number().int().min(0).max(1000).optional(),
    /** The web app: a manager sees everyone (also anyone named as another agent's manager); an agent their own. */
    role: z.enum(['agent', 'manager']).optional(),
  })
  .strict()
  .refine((a) => !a.awayFrom || !a.awayUntil || a.awayFrom <= a.awayUntil, { path: ['awayUntil'], message: 'expected a day on or after awayFrom' });
export type Agent = z.output<typeof agentSchema>;

export const agentsFileSchema = z
  .object({ agents: z.array(agentSchema).max(10_000) })
  .strict()
  .superRefine(({ agents }, ctx) => {
    const ids = new Set<string>();
    agents.forEach((a, i) => {
      if (ids.has(a.id)) ctx.addIssue({ code: 'custom', path: ['agents', i, 'id'], message: `duplicate agent id ${a.id}` });
      ids.add(a.id);
    });
    agents.forEach((a, i) => {
      for (const field of ['manager', 'coveredBy'] as const) {
        const ref = a[field];
        if (ref !== undefined && !agents.some((b) => b.id === ref)) ctx.addIssue({ code: 'custom', path: ['agents', i, field], message: `no agent with id ${ref}` });
      }
      if (a.away && !a.coveredBy) ctx.addIssue({ code: 'custom', path: ['agents', i, 'coveredBy'], message: 'required when away is true: who takes the calls' });
    });
  });

export interface AgentDirectory {
  get(id: string): Agent | undefined;
  /**
   * Who takes a task for `agentId` on `day` (YYYY-MM-DD): the agent, or whoever covers while
   * they are away (following the chain, never in a loop). `reassignedFrom` says who was away.
   */
  assignee(agentId: string, day: string): { id: string; agent?: Agent; reassignedFrom?: string };
  /** The manager to escalate to: the assignee's, else the original agent's. */
  managerOf(agentId: string): Agent | undefined;
  /** Every agent, in the file's order. */
  all(): Agent[];
  /** Away on `day` (YYYY-MM-DD): `away` until `awayUntil`, or inside `awayFrom`..`awayUntil`. */
  isAway(agentId: string, day: string): boolean;
}

export function createAgentDirectory(agents: Agent[] = []): AgentDirectory {
  const byId = new Map(agents.map((a) => [a.id, a]));
  const isAway = (a: Agent, day: string) =>
    (a.away && (a.awayFrom === undefined || day >= a.awayFrom) && (a.awayUntil === undefined || day <= a.awayUntil)) ||
    (!a.away && a.awayFrom !== undefined && day >= a.awayFrom && (a.awayUntil === undefined || day <= a.awayUntil));
  return {
    get: (id) => byId.get(id),
    all: () => [...agents],
    isAway: (id, day) => {
      const a = byId.get(id);
      return a ? isAway(a, day) : false;
    },
    assignee(agentId, day) {
      let current = byId.get(agentId);
      const seen = new Set([agentId]);
      while (current && isAway(current, day) && current.coveredBy && !seen.has(current.coveredBy)) {
        seen.add(current.coveredBy);
        current = byId.get(current.coveredBy);
      }
      if (!current || current.id === agentId) return { id: agentId, agent: current };
      return { id: current.id, agent: current, reassignedFrom: agentId };
    },
    managerOf(agentId) {
      const manager = byId.get(agentId)?.manager;
      return manager ? byId.get(manager) : undefined;
    },
  };
}

/** Parses an agents file's JSON; the error names the file and every bad field. */
export function parseAgentsFile(raw: unknown, file = 'agents file'): Agent[] {
  const parsed = agentsFileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: ${describeIssues(parsed.error).join('; ')}`);
  return parsed.data.agents;
}

export function loadAgentDirectory(file: string | undefined): AgentDirectory {
  if (!file) return createAgentDirectory();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`PLAN33_AGENTS_FILE=${file}: ${(err as Error).message}`, { cause: err });
  }
  return createAgentDirectory(parseAgentsFile(raw, `PLAN33_AGENTS_FILE=${file}`));
}
