import type { BackendModule } from './module.js';
import { awsMlModule } from './awsml/index.js';
import { azureMlModule } from './azureml/index.js';
import { sageMakerModule } from './sagemaker/index.js';
import { slvModule } from './slv/index.js';

/** Every backend kind the gateway knows. Adding a backend: its folder, and its line here. */
export const backendModules = [slvModule, azureMlModule, awsMlModule, sageMakerModule] as const satisfies readonly BackendModule[];

/** The kinds of the registered backends, as spelled in config files. */
export type RegisteredKind = (typeof backendModules)[number]['kind'];
