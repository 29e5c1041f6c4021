import { AwsJsonFault } from '../../emulator-kit/aws/json-protocol.js';

/** A SageMaker error answer: HTTP status, exception name (`__type`) and `Message`. */
export class SageMakerFault extends AwsJsonFault {
  constructor(status: number, type: string, message: string) {
    super(status, type, message);
    this.name = 'SageMakerFault';
  }
}

/** The service's answer to a request it cannot accept, and to an unknown job or model. */
export const validation = (message: string): SageMakerFault => new SageMakerFault(400, 'ValidationException', message);

/** A client-sent member as the service quotes it in a validation message. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? 'null';
}
