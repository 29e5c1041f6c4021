import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backendModules } from '../backends/index.js';
import { ConfigError, parseConfigText } from './load.js';

const modules = backendModules;
/** Every registered kind, in registry order. */
const KIND_LIST = backendModules.map((module) => module.kind).join(', ');
const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfigText(text, 'batchgate.yaml', { modules, env });
const problemsOf = (text: string, env: NodeJS.ProcessEnv = {}): readonly string[] => {
  try {
    parse(text, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

const VALID = `
listen: { host: 127.0.0.1, port: 4100 }
polling: { intervalMs: 500, maxIntervalMs: 10000 }
auth:
  tokens: [ "\${BATCHGATE_TOKEN}" ]
backends:
  - id: lights-paris
    kind: slv
    url: http://127.0.0.1:8081/reports
    username: admin
    password: \${SLV_PASSWORD}
  - id: mlserver
    kind: azureml
    url: http://127.0.0.1:12800
    username: admin
    password: \${MLSERVER_PASSWORD:-fallback}
  - id: aws-eu
    kind: awsml
    region: eu-west-1
    endpoint: http://127.0.0.1:8083
    accessKeyId: AKIDEXAMPLE
    secretAccessKey: \${AWS_SECRET_ACCESS_KEY}
`;

describe('config loading', () => {
  it('reads the contract example with ${VAR} interpolation and defaults', () => {
    const config = parse(VALID, { BATCHGATE_TOKEN: 't0k', SLV_PASSWORD: 'pw', AWS_SECRET_ACCESS_KEY: 'sk' });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 4100 });
    expect(config.polling).toMatchObject({ intervalMs: 500, maxIntervalMs: 10000 });
    expect(config.store.path).toBe('./.batchgate');
    expect(config.auth?.tokens).toEqual(['t0k']);
    expect(config.backends.map((backend) => [backend.id, backend.kind])).toEqual([
      ['lights-paris', 'slv'],
      ['mlserver', 'azureml'],
      ['aws-eu', 'awsml'],
    ]);
    expect((config.backends[0] as unknown as { password: string }).password).toBe('pw');
    expect((config.backends[1] as unknown as { password: string }).password).toBe('fallback');
  });

  it('names the path of a bad backend kind and the kinds expected', () => {
    expect(problemsOf('backends:\n  - { id: a, kind: slv, url: "http://x/reports", username: u, password: p }\n  - { id: b, kind: mainframe }\n')).toEqual([
      `backends[1].kind: expected one of ${KIND_LIST}, got "mainframe"`,
    ]);
  });

  it('names every bad field: types, unknown keys, duplicate ids, ids outside [a-z0-9-]', () => {
    const problems = problemsOf(`
listen: { port: "eighty" }
pollng: {}
backends:
  - { id: Bad_Id, kind: slv, url: "http://x/reports", username: u, password: p }
  - { id: dup, kind: slv, url: "http://x/reports", username: u, password: p }
  - { id: dup, kind: slv, url: "http://x/reports", username: u, password: p }
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'listen.port: expected number',
        '(top level): unknown field "pollng"',
        'backends[0].id: expected [a-z0-9-]+',
        'backends[2].id: expected a unique id, "dup" is used twice',
      ]),
    );
  });

  it('says which environment variable is missing, and where, without printing any value', () => {
    expect(problemsOf(VALID, { BATCHGATE_TOKEN: 'secret-token-value' })).toEqual([
      'backends[0].password: expected environment variable SLV_PASSWORD to be set',
      'backends[2].secretAccessKey: expected environment variable AWS_SECRET_ACCESS_KEY to be set',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('listen: { port: 1\nbackends: [')[0]).toMatch(/^line \d+: /);
  });
});

describe('start-up with a bad config', () => {
  const folder = mkdtempSync(join(tmpdir(), 'batchgate-config-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('stops with exit code 2 and a message naming the file, the field and what was expected', () => {
    const file = join(folder, 'bad.yaml');
    writeFileSync(file, 'backends:\n  - { id: x, kind: mainframe, password: hunter2 }\n');
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', file], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, PORT: '0' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toContain(`backends[0].kind: expected one of ${KIND_LIST}`);
    expect(result.stderr + result.stdout).not.toContain('hunter2');
  });
});
