import { describeBackendConformance } from '../../../test/backend-suite.js';
import { azureMlModule } from './index.js';

// The unknown id names a service every emulator hosts, so the 404 is "Execution not found".
describeBackendConformance(azureMlModule, {
  unknownNativeId: 'TxService/1.0/00000000-0000-0000-0000-000000000000',
});
