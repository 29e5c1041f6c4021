import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { GatewayConfig } from '../config/load.js';

/**
 * graphql-armor rules throw their rejection by default, which validation does not expect: Apollo
 * answered 500 and graphql-ws dropped the message. Reporting it makes it an ordinary validation
 * error (400, `GRAPHQL_VALIDATION_FAILED`). Its "Syntax Error:" prefix is dropped: the syntax is fine.
 */
const reportInstead = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) => {
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')));
    },
  ],
};

/** Abuse limits on documents, applied to HTTP and WebSocket operations alike. */
export function createValidationRules(limits: GatewayConfig['limits']): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, exposeLimits: true, flattenFragments: true, ...reportInstead }),
    maxAliasesRule({ n: limits.maxAliases, exposeLimits: true, ...reportInstead }),
    costLimitRule({ maxCost: limits.maxCost, exposeLimits: true, ...reportInstead }),
  ];
}
