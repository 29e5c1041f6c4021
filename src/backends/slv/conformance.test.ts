import { describeBackendConformance } from '../../../test/backend-suite.js';
import { slvModule } from './index.js';

// 1000000000000 is a well-formed 13-digit batch id (2001-09-09) that the emulator never issues.
describeBackendConformance(slvModule, { unknownNativeId: '1000000000000' });
