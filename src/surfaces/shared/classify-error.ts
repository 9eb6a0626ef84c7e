import type { FastifyError } from 'fastify';
import { isGatehouseError, type GatehouseError } from '../../core/errors.ts';

/** Where an invalid value was found, named as FastAPI names it. */
export type IssueLocation = 'body' | 'query' | 'path' | 'header';

/** One schema violation, independent of any surface's error shape. */
export interface Issue {
  location: IssueLocation;
  /** Path to the offending value inside its location (field names, array indexes). */
  path: Array<string | number>;
  /** JSON-schema keyword that failed: required, type, format, minLength, ... */
  keyword: string;
  params: Record<string, unknown>;
}

/** Every failure a request can end in, sorted into the kinds a surface renders. */
export type Classified =
  | { kind: 'core'; error: GatehouseError }
  | { kind: 'validation'; issues: Issue[] }
  | { kind: 'malformed-body' }
  | { kind: 'http'; status: number; message: string }
  | { kind: 'internal' };

const LOCATIONS: Record<string, IssueLocation> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
}

export function classifyError(error: unknown): Classified {
  if (isGatehouseError(error)) {
    // A rule the core enforces on input (password policy) reads like a schema error.
    if (error.code === 'VALIDATION_FAILED') {
      return {
        kind: 'validation',
        issues: [{ location: 'body', path: error.field ? [error.field] : [], keyword: 'rule', params: { message: error.message } }],
      };
    }
    return { kind: 'core', error };
  }
  const e = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (Array.isArray(e.validation)) {
    const location = LOCATIONS[e.validationContext ?? 'body'] ?? 'body';
    return { kind: 'validation', issues: toIssues(e.validation, location) };
  }
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (e.statusCode === 400 && e instanceof SyntaxError)) {
    return { kind: 'malformed-body' };
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { kind: 'http', status: 413, message: 'Request body too large' };
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { kind: 'http', status: 415, message: 'Unsupported Media Type' };
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) return { kind: 'http', status, message: e.message };
  return { kind: 'internal' };
}

function toIssues(errors: AjvError[], location: IssueLocation): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, Issue>();
  for (const err of errors) {
    // A nullable field is an anyOf of [T, null]: report the T branch only.
    if (err.keyword === 'anyOf' || (err.keyword === 'type' && err.params.type === 'null')) continue;
    const path = pointerToPath(err.instancePath);
    if (err.keyword === 'required' && typeof err.params.missingProperty === 'string') path.push(err.params.missingProperty);
    const key = `${location}/${path.join('/')}`;
    const earlier = seen.get(key);
    if (earlier) {
      // A union of literals fails once per literal: report it as one enum.
      if (err.keyword === 'const' && (earlier.keyword === 'const' || earlier.keyword === 'enum')) {
        earlier.keyword = 'enum';
        earlier.params = { allowedValues: [...((earlier.params.allowedValues as unknown[]) ?? [earlier.params.allowedValue]), err.params.allowedValue] };
      }
      continue;
    }
    const issue: Issue = { location, path, keyword: err.keyword, params: err.params };
    seen.set(key, issue);
    issues.push(issue);
  }
  return issues;
}

function pointerToPath(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}
