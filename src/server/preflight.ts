import type { NextFunction, Request, Response } from 'express';

/**
 * Runs after the `cors` middleware, which answers preflights from allowed origins itself and lets
 * the others through. A preflight from an origin `cors.origins` does not list gets what browsers
 * read as a CORS refusal: 204 without `Access-Control-Allow-*` headers (not a GraphQL or CSRF error
 * from further down).
 */
export function answerRefusedPreflight(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return next();
  res.setHeader('vary', 'Origin');
  res.status(204).end();
}
