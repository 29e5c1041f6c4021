import type { EmulatorHandle } from '../../module.js';
import type { AwsJsonEmulatorControls } from './json-protocol.js';

/** What an AWS SDK v3 client is made from, pointed at an emulator. */
export interface EmulatorSdkConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
}

/**
 * Official SDK clients pointed at an AWS emulator (wire-fidelity tests): `client` signs with the
 * emulator's own key, or another to see it refused; `destroyAll` frees every one made.
 */
export function createEmulatorSdkClients<Client extends { destroy(): void }>(
  emulator: () => EmulatorHandle & AwsJsonEmulatorControls,
  make: (config: EmulatorSdkConfig) => Client,
) {
  const clients: Client[] = [];
  return {
    client(secretAccessKey = String(emulator().connection['secretAccessKey']), accessKeyId = emulator().accessKeyId): Client {
      const client = make({ endpoint: emulator().url, region: emulator().region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
      clients.push(client);
      return client;
    },
    destroyAll(): void {
      for (const client of clients.splice(0)) client.destroy();
    },
  };
}
