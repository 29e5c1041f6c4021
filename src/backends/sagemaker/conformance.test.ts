import { describeBackendConformance } from '../../../test/backend-suite.js';
import { sageMakerModule } from './index.js';

// A well-formed transform job name the emulator never issues. The suite takes the base module type,
// whose config `kind` is the closed BackendKind union: the one cast of this file.
describeBackendConformance(sageMakerModule, { unknownNativeId: 'job-that-was-never-created' });
