import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import type { BackendConfigBase, BackendModule } from '../backends/module.js';
import { gatewayConfigSchema, type GatewayConfigBase } from './schema.js';

export interface GatewayConfig extends Omit<GatewayConfigBase, 'backends'> {
  backends: BackendConfigBase[];
  /** The file it came from; null for the embedded default. */
  source: string | null;
}

/** A config that cannot be used: every problem, each naming the field's path and what was expected. */
export class ConfigError extends Error {
  readonly file: string;
  readonly problems: readonly string[];
  constructor(file: string, problems: string[]) {
    super(`${file}: invalid config\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}

export interface LoadOptions {
  modules: readonly BackendModule[];
  env?: NodeJS.ProcessEnv;
}

/** Reads, interpolates and validates a YAML config file. Throws `ConfigError`. */
export function loadConfigFile(file: string, options: LoadOptions): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  return parseConfigText(text, file, options);
}

export function parseConfigText(text: string, file: string, options: LoadOptions): GatewayConfig {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => `line ${error.linePos?.[0]?.line ?? '?'}: ${error.message.split('\n')[0]}`),
    );
  }
  const raw: unknown = document.toJS() ?? {};
  const problems: string[] = [];
  const interpolated = interpolate(raw, [], options.env ?? process.env, problems);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return validateConfig(interpolated, file, options);
}

/** Validates an already-parsed config object (the embedded default goes through here too). */
export function validateConfig(raw: unknown, file: string, options: LoadOptions): GatewayConfig {
  const problems: string[] = [];
  const base = gatewayConfigSchema.safeParse(raw);
  if (!base.success) problems.push(...formatIssues(base.error.issues, []));

  const rawBackends = isRecord(raw) && Array.isArray(raw['backends']) ? raw['backends'] : [];
  const byKind = new Map(options.modules.map((module) => [module.kind, module]));
  const kinds = options.modules.map((module) => module.kind).join(', ');
  const backends: BackendConfigBase[] = [];
  const seen = new Set<string>();
  rawBackends.forEach((entry, index) => {
    const path: PropertyKey[] = ['backends', index];
    const kind = isRecord(entry) ? entry['kind'] : undefined;
    const module = typeof kind === 'string' ? byKind.get(kind) : undefined;
    if (!module) {
      problems.push(`${formatPath([...path, 'kind'])}: expected one of ${kinds}${kind === undefined ? '' : `, got ${JSON.stringify(kind)}`}`);
      return;
    }
    const parsed = module.configSchema.safeParse(entry);
    if (!parsed.success) {
      problems.push(...formatIssues(parsed.error.issues, path));
      return;
    }
    if (seen.has(parsed.data.id)) {
      problems.push(`${formatPath([...path, 'id'])}: expected a unique id, "${parsed.data.id}" is used twice`);
      return;
    }
    seen.add(parsed.data.id);
    backends.push(parsed.data);
  });

  if (problems.length > 0 || !base.success) throw new ConfigError(file, problems);
  return { ...base.data, backends, source: file };
}

/** `${VAR}` and `${VAR:-default}` in string values read the environment; `$${` escapes. */
function interpolate(value: unknown, path: PropertyKey[], env: NodeJS.ProcessEnv, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (match, escaped: string | undefined, name: string, fallback: string | undefined) => {
      if (escaped) return match.slice(1);
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      problems.push(`${formatPath(path)}: expected environment variable ${name} to be set`);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, [...path, index], env, problems));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, [...path, key], env, problems)]));
  }
  return value;
}

function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): string[] {
  return issues.map((issue) => {
    const where = formatPath([...prefix, ...issue.path]);
    return `${where || '(top level)'}: ${describeIssue(issue)}`;
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => String(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

/** `backends[1].kind` */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === 'number') return `${text}[${part}]`;
    return text ? `${text}.${String(part)}` : String(part);
  }, '');
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
