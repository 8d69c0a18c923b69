// The errors the service layer throws, named so the adapters map them without guessing: the
// API to 400/404/409, the CLI to exit codes 1 and 2.

/** Bad input: every problem names its field; nothing was started or signalled. */
export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(readonly problems: string[]) {
    super(`invalid input:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** The customer's plan ended (they were lost): a repeated deal does not restart it. */
export class PlanEndedError extends Error {
  override name = 'PlanEndedError';
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
