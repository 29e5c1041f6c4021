import type { NextFunction, Request, Response } from 'express';
import { GraphQLError, parse } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { GatewayConfig } from '../config/load.js';
import { ErrorCode } from '../core/errors.js';
import { documentShapeError } from '../graphql/shape-limits.js';
import { errorEnvelope, sendError } from './http-errors.js';

/** Size of a request's variables as sent: the JSON text (POST body) or the query-string value (GET). */
function variablesBytes(variables: unknown): number {
  if (variables === undefined || variables === null) return 0;
  if (typeof variables === 'string') return Buffer.byteLength(variables, 'utf8');
  if (Array.isArray(variables) && variables.every((item) => typeof item === 'string')) {
    return variables.reduce((total: number, item: string) => total + Buffer.byteLength(item, 'utf8'), 0);
  }
  return Buffer.byteLength(JSON.stringify(variables) ?? '', 'utf8');
}

/**
 * True when a JSON value nests deeper than `max`. Iterative: the values it is for (thousands of
 * levels in a few kilobytes) overflow the stack of every recursive walk, `JSON.stringify` included.
 */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= max) return true;
    for (const item of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof item === 'object' && item !== null) stack.push([item, depth + 1]);
    }
  }
  return false;
}

/** Why a request's variables are refused (too deep, then too large), or null. */
export function variablesProblem(variables: unknown, limits: GatewayConfig['limits']): { status: number; message: string } | null {
  let value = variables;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return null;
    }
  }
  if (nestsDeeperThan(value, limits.maxVariablesDepth)) return { status: 400, message: `The variables may nest at most ${limits.maxVariablesDepth} levels deep` };
  if (variablesBytes(variables) > limits.maxVariablesBytes) return { status: 413, message: `The variables may take at most ${limits.maxVariablesBytes} bytes` };
  return null;
}

/**
 * Enforces the variables limits before Apollo sees the request: a body under the size cap can
 * still be almost all variables, which are coerced (and held) in full before any resolver runs,
 * and deeply nested ones overflow the stack of whatever walks them.
 */
export function limitVariables(limits: GatewayConfig['limits']) {
  return (req: Request, res: Response, next: NextFunction) => {
    const body: unknown = req.body;
    const operations = Array.isArray(body) ? body : [body];
    const sent: unknown[] = req.method === 'GET' ? [req.query['variables']] : [];
    for (const operation of operations) {
      if (typeof operation === 'object' && operation !== null) sent.push((operation as { variables?: unknown }).variables);
    }
    let size = 0;
    for (const variables of sent) {
      const problem = variablesProblem(variables, { ...limits, maxVariablesBytes: Number.MAX_SAFE_INTEGER });
      if (problem) return void sendError(res, problem.status, problem.message, ErrorCode.BAD_USER_INPUT);
      size += variablesBytes(variables);
    }
    if (size <= limits.maxVariablesBytes) return next();
    sendError(res, 413, `The variables may take at most ${limits.maxVariablesBytes} bytes`, ErrorCode.BAD_USER_INPUT);
  };
}

/**
 * Refuses documents over the field caps (see `shape-limits.ts`) before Apollo validates them, as
 * Apollo would refuse an invalid one: `GRAPHQL_VALIDATION_FAILED`, 400 (200 for clients that accept
 * only the legacy `application/json`). Verdicts are remembered per query text.
 */
export function limitDocumentShape(limits: GatewayConfig['limits']) {
  const verdicts = new LRUCache<string, { problem: string | null }>({ max: 1000 });
  const verdictOf = (query: string): string | null => {
    const known = query.length <= 20_000 ? verdicts.get(query) : undefined;
    if (known) return known.problem;
    let problem: string | null = null;
    try {
      problem = documentShapeError(parse(query, { maxTokens: limits.maxTokens, noLocation: true }), limits);
    } catch (error) {
      // Syntax errors are Apollo's to report, with their positions.
      if (!(error instanceof GraphQLError)) throw error;
    }
    if (query.length <= 20_000) verdicts.set(query, { problem });
    return problem;
  };
  return (req: Request, res: Response, next: NextFunction) => {
    const body: unknown = req.body;
    const query = req.method === 'GET' ? req.query['query'] : typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { query?: unknown }).query : undefined;
    if (typeof query !== 'string') return next();
    const problem = verdictOf(query);
    if (!problem) return next();
    const accept = req.headers.accept ?? '';
    const legacy = !accept.includes('application/graphql-response+json') && accept.includes('application/json');
    res.status(legacy ? 200 : 400);
    res.setHeader('content-type', `${legacy ? 'application/json' : 'application/graphql-response+json'}; charset=utf-8`);
    res.end(JSON.stringify(errorEnvelope(problem, 'GRAPHQL_VALIDATION_FAILED')));
  };
}
