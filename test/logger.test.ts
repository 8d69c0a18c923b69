import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, TemporalPinoLogger } from '../lib/logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, log: createLogger('info', stream) };
}

describe('logging', () => {
  it('redacts personal data and secrets, keeps ids', () => {
    const { lines, log } = capture();
    log.info({ customerId: 'cust-1', customer: { name: { first: 'Layla' }, email: 'l@x.com', phone: '+966501234567' }, to: 'l@x.com', smtp: { pass: 'hunter2' } }, 'touch sent');
    const line = JSON.stringify(lines[0]);
    expect(lines[0]).toMatchObject({ customerId: 'cust-1', msg: 'touch sent' });
    for (const secret of ['Layla', 'l@x.com', '+966501234567', 'hunter2']) expect(line).not.toContain(secret);
  });

  it('routes the Temporal logger into pino, with errors serialized', () => {
    const { lines, log } = capture();
    new TemporalPinoLogger(log).warn('Activity failed', { activityType: 'sendTouchEmail', error: new Error('boom') });
    expect(lines[0]).toMatchObject({ level: 40, msg: 'Activity failed', activityType: 'sendTouchEmail', err: { message: 'boom', type: 'Error' } });
  });
});
