import { describeBackendConformance } from '../../../test/backend-suite.js';
import { sageMakerModule } from './index.js';

// A well-formed transform job name the emulator never issues.
describeBackendConformance(sageMakerModule, { unknownNativeId: 'job-that-was-never-created' });
