/**
 * Monaco runs its language services in web workers. The bundle ships them as files of their own
 * (`editor.worker.js`, `json.worker.js`, `graphql.worker.js`) served from the gateway, so the
 * playground needs no CDN and the page's CSP only allows workers from its own origin.
 */
export function installMonacoWorkers(base: string): void {
  const url = (name: string) => new URL(`${base}${name}.worker.js`, window.location.href).toString();
  (globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
    getWorker(_workerId: string, label: string): Worker {
      const name = label === 'graphql' || label === 'json' ? label : 'editor';
      return new Worker(url(name), { name: label });
    },
  };
}
