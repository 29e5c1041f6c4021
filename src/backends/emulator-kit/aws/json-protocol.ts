import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSigV4Verifier, type EmulatorKey } from './sigv4.js';

/**
 * The AWS JSON 1.1 protocol as an emulator serves it: `POST /` with `X-Amz-Target: <prefix><Operation>`,
 * every request's SigV4 signature verified, scripted failures, the JSON body read as the operation's
 * input, and errors answered with `__type` and the `x-amzn-errortype` header the SDK names errors
 * from. An emulator brings its operations, its target prefix and the shape of its error bodies.
 */

/** An error answer: HTTP status and exception name (`__type`). Services extend it with their own members. */
export class AwsJsonFault extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'AwsJsonFault';
  }
}

type Operation = (input: Record<string, unknown>) => unknown;

export interface AwsJsonServiceOptions {
  /** What `X-Amz-Target` starts with before the operation name, e.g. `Service_20200101.`. */
  targetPrefix: string;
  /** Signing name of credential scopes, also the namespace of `x-amzn-errortype`. */
  service: string;
  /** Region accepted in credential scopes. */
  region: string;
  /** The fixed, documented demo key (`npm run emulators`); else a fresh one per start. */
  demoKey?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Extra access keys accepted besides the emulator's own. */
  keys?: Record<string, EmulatorKey> | undefined;
  operations: Record<string, Operation>;
  /** The error body as the service writes it, e.g. `{ __type, message }` or `{ __type, Message }`. */
  faultBody(fault: AwsJsonFault): Record<string, unknown>;
  /** The answer when an operation throws anything but a fault. */
  internalFault: AwsJsonFault;
}

export interface ScriptedAwsJsonFailure {
  fault: AwsJsonFault;
  /** Only requests for this operation. @default every operation */
  operation?: string | undefined;
  /** @default 1 */
  count?: number | undefined;
  /** The operation is carried out first and only its answer is lost, as when a server fails after committing. */
  afterRunning?: boolean | undefined;
}

interface PendingFailure {
  fault: AwsJsonFault;
  operation: string | undefined;
  remaining: number;
  afterRunning: boolean;
}

type Call = { operation: string; input: Record<string, unknown> };

/** Start options every AWS JSON 1.1 emulator takes. */
export interface AwsJsonEmulatorStartOptions {
  /** Region the emulator accepts in credential scopes. @default 'us-east-1' */
  region?: string;
  /** Extra access keys accepted besides the generated one. */
  keys?: Record<string, EmulatorKey>;
}

/** What tests read and steer on an AWS JSON 1.1 emulator. */
export interface AwsJsonEmulatorControls {
  readonly region: string;
  readonly accessKeyId: string;
  /** Every authentic call's operation and decoded input, oldest first (to assert request shapes). */
  readonly calls: readonly Call[];
  /** How many requests failed the signature check so far. */
  readonly rejections: number;
  /** Advances every live batch one step now (tests that do not want to wait for ticks). */
  tick(): void;
}

/** The protocol half of an emulator: its request handler for the HTTP shell, its keys, and test controls. */
export function createAwsJsonService(options: AwsJsonServiceOptions) {
  const { targetPrefix, operations } = options;
  // A fresh secret per start: nothing secret is written in code or config — except the documented
  // demo keys, which open nothing but the emulator.
  const accessKeyId = options.demoKey?.accessKeyId ?? `AKIAEMU${randomBytes(6).toString('hex').toUpperCase()}`;
  const secretAccessKey = options.demoKey?.secretAccessKey ?? randomBytes(30).toString('base64');
  const keys = new Map<string, EmulatorKey>([[accessKeyId, { secretAccessKey }], ...Object.entries(options.keys ?? {})]);
  const expired = new Set<string>();
  const verify = createSigV4Verifier({ region: options.region, service: options.service, keys });
  const failures: PendingFailure[] = [];
  const calls: Call[] = [];
  let rejections = 0;

  const send = (res: ServerResponse, status: number, value: unknown, errorType?: string) => {
    const text = JSON.stringify(value);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      // The SDK names errors from this header first, then from the body.
      ...(errorType ? { 'x-amzn-errortype': `${errorType}:http://internal.amazon.com/coral/com.amazonaws.${options.service}/` } : {}),
    });
    res.end(text);
  };
  const sendFault = (res: ServerResponse, fault: AwsJsonFault) => send(res, fault.status, options.faultBody(fault), fault.type);

  /** The request's JSON object, or the fault that refuses it. */
  function parseInput(body: Buffer): Record<string, unknown> | AwsJsonFault {
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return new AwsJsonFault(400, 'SerializationException', 'The request body is not valid JSON');
    }
    if (!input || typeof input !== 'object' || Array.isArray(input)) return new AwsJsonFault(400, 'SerializationException', 'The request body must be a JSON object');
    return input as Record<string, unknown>;
  }

  /** Takes the first scripted failure for this operation, if any. */
  function takeFailure(operation: string): PendingFailure | undefined {
    const scripted = failures.find((failure) => failure.operation === undefined || failure.operation === operation);
    if (scripted) {
      scripted.remaining -= 1;
      if (scripted.remaining <= 0) failures.splice(failures.indexOf(scripted), 1);
    }
    return scripted;
  }

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://emulator').pathname;
    if (req.method !== 'POST' || path !== '/') {
      sendFault(res, new AwsJsonFault(404, 'UnknownOperationException', 'Only POST / is served'));
      return;
    }
    const keyId = /Credential=([^/,\s]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
    if (keyId && expired.has(keyId)) {
      rejections += 1;
      sendFault(res, new AwsJsonFault(400, 'ExpiredTokenException', 'The security token included in the request is expired'));
      return;
    }
    const rejection = await verify(req, body);
    if (rejection) {
      rejections += 1;
      sendFault(res, new AwsJsonFault(rejection.status, rejection.type, rejection.message));
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(targetPrefix) ? target.slice(targetPrefix.length) : '';
    const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (!operation) {
      sendFault(res, new AwsJsonFault(400, 'UnknownOperationException', `Unknown operation ${target}`));
      return;
    }
    const scripted = takeFailure(name);
    if (scripted && !scripted.afterRunning) {
      sendFault(res, scripted.fault);
      return;
    }
    const input = parseInput(body);
    if (input instanceof AwsJsonFault) {
      sendFault(res, input);
      return;
    }
    calls.push({ operation: name, input });
    try {
      const output = await operation(input);
      if (scripted) sendFault(res, scripted.fault);
      else send(res, 200, output);
    } catch (error) {
      sendFault(res, error instanceof AwsJsonFault ? error : options.internalFault);
    }
  };

  return {
    accessKeyId,
    secretAccessKey,
    handle,
    calls: calls as readonly Call[],
    get rejections() {
      return rejections;
    },
    /** How the service refuses unknown credentials (the HTTP shell's `unauthorized` fault). */
    refuseCredentials: (_req: IncomingMessage, res: ServerResponse) =>
      sendFault(res, new AwsJsonFault(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.')),
    /** The next `count` requests for `operation` (every operation when absent) answer this fault, after their signature was checked. */
    failNext: (failure: ScriptedAwsJsonFailure): void => {
      failures.push({ fault: failure.fault, operation: failure.operation, remaining: failure.count ?? 1, afterRunning: failure.afterRunning ?? false });
    },
    /** Accepts this key from now on (a rotation's new credentials). */
    addKey: (id: string, key: EmulatorKey): void => {
      keys.set(id, key);
      expired.delete(id);
    },
    /** Answers this key with `ExpiredTokenException` from now on, as AWS does for expired session credentials. */
    expireKey: (id: string): void => {
      expired.add(id);
    },
  };
}
