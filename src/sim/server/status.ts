/**
 * Kubernetes `Status` objects for every error the simulator answers, shaped exactly like
 * `k8s.io/apimachinery/pkg/api/errors` builds them (message formats, `details.kind` being the plural
 * resource except for Invalid where it is the Kind).
 */

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusBody {
  kind?: 'Status';
  apiVersion?: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code?: number;
}

/** Thrown by handlers; the router turns it into an HTTP response with `status.code`. */
export class ApiError extends Error {
  constructor(
    readonly status: StatusBody & { code: number },
    /** Extra response headers (e.g. Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(status.message ?? status.reason ?? 'error');
  }
}

function failure(code: number, reason: string, message: string, details?: StatusBody['details']): ApiError {
  const status: StatusBody & { code: number } = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  // Key order as the real server marshals it: kind, apiVersion, metadata, status, message, reason, details, code.
  // StatusReasonUnknown is the empty string, which the server omits.
  const ordered = { kind: status.kind, apiVersion: status.apiVersion, metadata: {}, status: 'Failure', message, ...(reason ? { reason } : {}), ...(details ? { details } : {}), code } as StatusBody & { code: number };
  return new ApiError(ordered);
}

function resourceDetails(resource: string, group: string, name?: string): NonNullable<StatusBody['details']> {
  const d: NonNullable<StatusBody['details']> = {};
  if (name) d.name = name;
  if (group) d.group = group;
  d.kind = resource;
  return d;
}

const qualified = (resource: string, group: string): string => (group ? `${resource}.${group}` : resource);

export function notFound(resource: string, name: string, group = ''): ApiError {
  return failure(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, resourceDetails(resource, group, name));
}

/** The catch-all 404 for a path the server does not serve. */
export function pathNotFound(): ApiError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function badRequest(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

export function forbidden(resource: string, name: string | undefined, group: string, reason: string): ApiError {
  const subject = name ? `${qualified(resource, group)} "${name}"` : qualified(resource, group);
  return failure(403, 'Forbidden', `${subject} is forbidden: ${reason}`, resourceDetails(resource, group, name));
}

export function conflict(resource: string, name: string, reason: string, group = ''): ApiError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${reason}`, resourceDetails(resource, group, name));
}

export function alreadyExists(resource: string, name: string, group = ''): ApiError {
  return failure(409, 'AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, resourceDetails(resource, group, name));
}

export function internalError(message: string): ApiError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/**
 * An error the API server did not build as a Status (apierrors.ErrorToAPIStatus, default case):
 * code 500, no reason, the error text as message. kubectl prints it as `Error from server: <message>`.
 * A failed conversion webhook call while reading a CRD answers this way.
 */
export function unknownError(message: string): ApiError {
  return failure(500, '', message);
}

export function methodNotSupported(resource: string, action: string): ApiError {
  return failure(405, 'MethodNotAllowed', `${action} is not supported on resources of kind "${resource}"`, { kind: resource });
}

/**
 * A write to a read-only server (`startSimulator({ readOnly })`, used by `mlb-report serve` for a
 * support bundle): the real server's MethodNotAllowed Status (405, `details.kind` the plural
 * resource) with the reason appended, so kubectl prints why instead of a bare "not supported".
 */
export function readOnlyRefusal(resource: string, action: string, reason: string): ApiError {
  return failure(405, 'MethodNotAllowed', `${action} is not supported on resources of kind "${resource}": ${reason}`, { kind: resource });
}

export function unsupportedMediaType(accepted: string[]): ApiError {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

export function unauthorized(): ApiError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function gone(message: string): ApiError {
  return failure(410, 'Expired', message);
}

export function notAcceptable(): ApiError {
  return failure(406, 'NotAcceptable', 'the server was unable to respond with a content type that the client supports');
}

// ---------------------------------------------------------------- field errors (422 Invalid)

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  /** The offending value (Go-quoted when a string), absent for Required/Forbidden. */
  value?: unknown;
  detail?: string;
}

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
};

function goValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** `field.Error.ErrorBody()`: type text, then value (for most types) and detail. */
function errorBody(e: FieldError): string {
  let s = typeText[e.type];
  if (e.type === 'FieldValueRequired' || e.type === 'FieldValueForbidden') {
    if (e.detail) s += `: ${e.detail}`;
    return s;
  }
  if (e.value !== undefined) s += `: ${goValue(e.value)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function fieldErrorText(e: FieldError): string {
  return e.field ? `${e.field}: ${errorBody(e)}` : errorBody(e);
}

export function invalid(kind: string, name: string, errors: FieldError[], group = ''): ApiError {
  const texts = [...new Set(errors.map(fieldErrorText))];
  const aggregate = texts.length === 1 ? texts[0]! : `[${texts.join(', ')}]`;
  const details: NonNullable<StatusBody['details']> = { name };
  if (group) details.group = group;
  details.kind = kind;
  details.causes = errors.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
  // The message names the qualified kind (`DaemonSet.apps`), the details the bare one.
  return failure(422, 'Invalid', `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${aggregate}`, details);
}

/** A patch that could not be applied: the real server drops the detail. */
export function patchRejected(): ApiError {
  return failure(422, 'Invalid', 'the server rejected our request due to an error in our request');
}

/** Status JSON as written on exec channel 3 (no kind/apiVersion, like metav1.Status marshalled by the translator). */
export function streamStatus(s: Omit<StatusBody, 'kind' | 'apiVersion'>): string {
  return JSON.stringify(s);
}
