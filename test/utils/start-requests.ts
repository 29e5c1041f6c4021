import type { BackendKind } from '../../src/core/model.js';
import type { RecordedRequest } from '../../src/lib/emulator-http.js';

/** Whether an emulator request is the backend's "start a batch" call, per kind (for exact start counts). */
export const isStartRequest: Record<BackendKind, (request: RecordedRequest) => boolean> = {
  slv: (request) => request.method === 'POST' && /\/api\/controllermanagement\/commissionController(Devices)?(ListAsync|Async)$|importDevicesFromCsvFileAsync$/.test(request.path),
  azureml: (request) => request.method === 'POST' && /^\/api\/[^/]+\/[^/]+\/batch$/.test(request.path),
  awsml: (request) => request.headers['x-amz-target'] === 'AmazonML_20141212.CreateBatchPrediction',
};
