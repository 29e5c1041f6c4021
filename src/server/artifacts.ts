import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, GatewayError, toGatewayError } from '../core/errors.js';
import { decodeBatchId } from '../core/ids.js';
import type { BatchService } from '../service/batch-service.js';
import { httpStatusFor } from './http-errors.js';

/** Where an execution's artifacts are downloaded: `/artifacts/<batch id>/<execution index>/<name>`. */
export const ARTIFACTS_ROUTE = '/artifacts/:id/:index/:name';

/**
 * Streams one artifact from its backend (mounted behind the token check). Errors before the first
 * byte answer as JSON with a code and a matching status; after it, the response is cut short.
 */
export function createArtifactRoute(service: BatchService, formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      const ref = decodeBatchId(String(req.params['id']));
      const index = Number(req.params['index']);
      if (!Number.isInteger(index) || index < 0) throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'index: expected a non-negative integer');
      const name = String(req.params['name']);
      checkArtifactName(name);
      // Only names the backend lists are fetched: nothing else of the backend is reachable through this route.
      const listed = await service.artifacts(ref, index);
      if (!listed.some((artifact) => artifact.name === name && artifact.externalUrl === null)) {
        throw new GatewayError(ErrorCode.NOT_FOUND, 'This execution has no artifact of that name', { backend: ref.backendId });
      }
      const artifact = await service.openArtifact(ref, index, name);
      res.status(200);
      res.setHeader('content-type', artifact.contentType ?? 'application/octet-stream');
      if (artifact.contentLength !== null) res.setHeader('content-length', String(artifact.contentLength));
      res.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
      res.setHeader('x-content-type-options', 'nosniff');
      await pipeline(artifact.body, res);
    } catch (error) {
      const gatewayError = toGatewayError(error);
      if (res.headersSent) return void res.destroy();
      const formatted = formatError(gatewayError.toJSON(), gatewayError);
      res.status(httpStatusFor(gatewayError.code)).json({ errors: [formatted] });
    }
  };
}

/**
 * An artifact name is one path segment: no separators, no dot segments, also once decoded again (a
 * backend or proxy may decode what the gateway sends), so it can never name a parent path upstream.
 */
function checkArtifactName(name: string): void {
  let decoded = name;
  for (let round = 0; round < 3; round += 1) {
    if (decoded === '' || decoded === '.' || decoded === '..' || hasSeparatorOrControl(decoded)) {
      throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'name: expected a file name without path separators or dot segments', { extensions: { field: 'name' } });
    }
    try {
      const next = decodeURIComponent(decoded);
      if (next === decoded) return;
      decoded = next;
    } catch {
      return;
    }
  }
}

/** A path separator or a control character: never part of an artifact's name. */
function hasSeparatorOrControl(name: string): boolean {
  return [...name].some((char) => char === '/' || char === '\\' || char.charCodeAt(0) < 0x20);
}
