import { AWS_LIMITS } from '@gavel/contracts';
import { PayloadTooLargeError } from '../../common/errors.js';

/** An event serialized once, whatever the number of recipients. */
export class PreparedEvent {
  constructor(readonly payload: Buffer) {}
}

export class EventTooLargeError extends PayloadTooLargeError {
  constructor(bytes: number) {
    super(
      'EVENT_TOO_LARGE',
      `The event is ${bytes} bytes; API Gateway delivers at most ${AWS_LIMITS.maxMessageBytes} bytes per message`,
    );
  }
}

/** Serializes an event once; refuses it before anything is sent when API Gateway could not deliver it. */
export function prepareEvent(event: unknown): PreparedEvent {
  const payload = Buffer.from(JSON.stringify(event));
  if (payload.byteLength > AWS_LIMITS.maxMessageBytes) throw new EventTooLargeError(payload.byteLength);
  return new PreparedEvent(payload);
}
