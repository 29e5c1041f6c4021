import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ErrorCode } from '../core/errors.js';

/** The body of an error answered outside GraphQL execution, shaped like a GraphQL error response. */
export const errorEnvelope = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

/** Answers with `status` and the error envelope as JSON. */
export function sendError(res: Response, status: number, message: string, code: string): void {
  res.status(status).json(errorEnvelope(message, code));
}

export function refuseWithoutToken(res: Response): void {
  res.setHeader('www-authenticate', 'Bearer realm="batchgate"');
  sendError(res, 401, 'A valid bearer token is required', ErrorCode.UNAUTHENTICATED);
}

/** Unknown paths answer like every other error here: JSON with a code, not Express's HTML page. */
export function answerNotFound(req: Request, res: Response): void {
  sendError(res, 404, `Nothing is served at ${req.method} ${req.path.slice(0, 200)}`, ErrorCode.NOT_FOUND);
}

/** Body-parser errors (too large, bad JSON) and anything else thrown in a route. */
export function answerRouteError(logger: Logger) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    // Any 4xx here is the client's request (too large, bad JSON, unsupported charset or encoding).
    const code = status >= 400 && status < 500 ? ErrorCode.BAD_USER_INPUT : ErrorCode.INTERNAL_SERVER_ERROR;
    const message =
      status === 413 ? 'The request body is too large' : status === 400 ? 'The request body is not valid JSON' : status < 500 ? 'The request body cannot be read' : 'Internal error';
    if (status >= 500) logger.error({ err: error, requestId: res.locals['requestId'] }, 'unhandled route error');
    if (!res.headersSent) sendError(res, status, message, code);
  };
}

/** HTTP statuses of the codes that are not an internal error (500). */
const HTTP_STATUS: Partial<Record<string, number>> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.BATCH_NOT_FOUND]: 404,
  [ErrorCode.BACKEND_NOT_FOUND]: 404,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.UNSUPPORTED]: 501,
  [ErrorCode.BACKEND_TIMEOUT]: 504,
  [ErrorCode.BACKEND_UNAVAILABLE]: 502,
  [ErrorCode.BACKEND_UNAUTHORIZED]: 502,
  [ErrorCode.BACKEND_ERROR]: 502,
};

/** The HTTP status of a gateway error answered outside GraphQL (where the code travels in the body). */
export const httpStatusFor = (code: string): number => HTTP_STATUS[code] ?? 500;
