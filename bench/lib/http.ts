import { Agent, request } from 'node:http';

/**
 * A minimal keep-alive HTTP client for latency figures. The direct upstream call and the call
 * through the gateway use this same client, so client overhead cancels out of the comparison.
 */
export interface TimedResponse {
  status: number;
  body: string;
  /** Wall time from sending to the last byte, ms. */
  elapsedMs: number;
}

export function createHttp(maxSockets = 1): { send(url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<TimedResponse>; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    send(url, init = {}) {
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), elapsedMs: performance.now() - started }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(init.body);
      });
    },
    close: () => agent.destroy(),
  };
}

/** Logs in to an ML Server (emulator) and returns the bearer header value. */
export async function azureMlToken(baseUrl: string, connection: Record<string, unknown>): Promise<string> {
  const http = createHttp();
  try {
    const response = await http.send(`${baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: connection['username'], password: connection['password'] }),
    });
    if (response.status !== 200) throw new Error(`login failed with ${response.status}`);
    return `Bearer ${(JSON.parse(response.body) as { access_token: string }).access_token}`;
  } finally {
    http.close();
  }
}

/** The upstream path of one ML Server batch, exactly as the connector asks for it. */
export const azureMlBatchUrl = (baseUrl: string, nativeId: string): string => {
  const [service, version, executionId] = nativeId.split('/') as [string, string, string];
  return `${baseUrl}/api/${encodeURIComponent(service)}/${encodeURIComponent(version)}/batch/${encodeURIComponent(executionId)}?showPartialResults=true`;
};
