import type { BackendModule } from '../core/module.js';
import { awsMlModule } from './awsml/index.js';
import { azureMlModule } from './azureml/index.js';
import { slvModule } from './slv/index.js';

/** Every backend kind the gateway knows. Adding a backend: its folder, and one line here. */
export const backendModules: readonly BackendModule[] = [
  slvModule as unknown as BackendModule,
  azureMlModule as unknown as BackendModule,
  awsMlModule as unknown as BackendModule,
];
