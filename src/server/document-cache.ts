import { LRUCache } from 'lru-cache';
import { getOperationAST, GraphQLError, Kind, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type ValidationRule } from 'graphql';

/** A document that parsed and validated, or the errors that stopped it (already carrying their codes). */
type CheckedDocument = { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: readonly GraphQLError[] };

export interface DocumentCacheOptions {
  schema: GraphQLSchema;
  /** Rules run after graphql's own (the abuse limits). */
  rules: readonly ValidationRule[];
  /** `parse({ maxTokens })`: the token cap of the HTTP path. */
  maxTokens: number;
  /** Runs between parsing and validation; a message refuses the document without validating it (the field caps). */
  precheck?: (document: DocumentNode) => string | null;
  /**
   * Distinct query texts remembered; the least recently used goes first.
   * @default 500
   */
  maxEntries?: number;
  /**
   * Longer query texts are checked every time and never kept: a cache of huge texts would hold
   * memory for documents that are rarely sent twice.
   * @default 20_000
   */
  maxQueryLength?: number;
}

export interface DocumentCache {
  /** Parses and validates `query` once per distinct text; later calls return the same result object. */
  check(query: string): CheckedDocument;
  readonly size: number;
}

/**
 * Parse + validate results by query text, for graphql-ws `onSubscribe`.
 *
 * Thousands of clients tend to send the very same subscription text. Parsing and validating it
 * (the abuse rules included) cost more CPU than anything else while sockets subscribe, and every
 * subscription kept its own copy of the document. The schema and rules never change while the
 * server runs, so the outcome depends on the text alone, failures included, and one frozen-by-use
 * `DocumentNode` can be shared: graphql-js never mutates documents.
 */
export function createDocumentCache(options: DocumentCacheOptions): DocumentCache {
  const maxEntries = options.maxEntries ?? 500;
  const maxQueryLength = options.maxQueryLength ?? 20_000;
  const rules = [...specifiedRules, ...options.rules];
  const entries = new LRUCache<string, CheckedDocument>({ max: maxEntries });

  const checkNow = (query: string): CheckedDocument => {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: options.maxTokens });
    } catch (error) {
      // The code Apollo gives the same failure over HTTP; without one, formatError hides it as internal.
      return { errors: [withCode(error instanceof GraphQLError ? error : new GraphQLError('Syntax error'), 'GRAPHQL_PARSE_FAILED')] };
    }
    const refused = options.precheck?.(document);
    if (refused) return { errors: [withCode(new GraphQLError(refused), 'GRAPHQL_VALIDATION_FAILED')] };
    const errors = validate(options.schema, document, rules);
    if (errors.length > 0) return { errors: errors.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED')) };
    return { document };
  };

  return {
    check(query) {
      if (query.length > maxQueryLength) return checkNow(query);
      const hit = entries.get(query);
      if (hit) return hit;
      const checked = checkNow(query);
      entries.set(query, checked);
      return checked;
    },
    get size() {
      return entries.size;
    },
  };
}

/** The same error with `extensions.code` set (graphql-ws sends errors as they are). */
const withCode = (error: GraphQLError, code: string): GraphQLError =>
  new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });

/**
 * The operation a request runs: the one `operationName` names, or the only one. Otherwise the error
 * POST /graphql answers (graphql-js's words, Apollo's code), so the live transports refuse such a
 * request as plainly as HTTP does instead of failing inside graphql-ws with an internal error.
 */
export function operationOf(document: DocumentNode, operationName: string | null | undefined): { operation: OperationDefinitionNode; error?: undefined } | { operation?: undefined; error: GraphQLError } {
  const operation = getOperationAST(document, operationName);
  if (operation) return { operation };
  const message = operationName
    ? `Unknown operation named "${operationName.slice(0, 100)}".`
    : document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION)
      ? 'Must provide operation name if query contains multiple operations.'
      : 'Must provide an operation.';
  return { error: new GraphQLError(message, { extensions: { code: OPERATION_RESOLUTION_FAILURE } }) };
}

/** Apollo Server's code for a request whose operation cannot be told. */
const OPERATION_RESOLUTION_FAILURE = 'OPERATION_RESOLUTION_FAILURE';
