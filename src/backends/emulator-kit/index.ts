/** The HTTP shell shared by every backend emulator: request log, fault injection, routing and answer helpers. */
export { emulatorRouter, startEmulatorApp, type EmulatorHttpServer, type Fault, type FaultRule, type RecordedRequest } from './server.js';
export { requestBody, requestParams, sendJson, sendJsonText } from './respond.js';
