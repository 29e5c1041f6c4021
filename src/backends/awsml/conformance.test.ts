import { describeBackendConformance } from '../../../test/backend-suite.js';
import { awsMlModule } from './index.js';

describeBackendConformance(awsMlModule, { unknownNativeId: 'bp-does-not-exist' });
