// One error shape for the whole UI, whichever transport produced it.

/** Error codes: the domain's, plus "offline" when the backend cannot be reached. */
export type ErrorCode =
  | 'invalid'
  | 'not_found'
  | 'conflict'
  | 'quota_exceeded'
  | 'unauthorized'
  | 'forbidden'
  | 'internal'
  | 'offline';

const CODES: readonly string[] = [
  'invalid',
  'not_found',
  'conflict',
  'quota_exceeded',
  'unauthorized',
  'forbidden',
  'internal',
  'offline',
];

/** An error the UI can show: a code to branch on and a sentence to read. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    if (field) this.field = field;
  }
}

function isCode(s: unknown): s is ErrorCode {
  return typeof s === 'string' && CODES.includes(s);
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'invalid',
  429: 'quota_exceeded',
};

const FALLBACK_MESSAGES: Record<ErrorCode, string> = {
  invalid: 'The request was not valid.',
  not_found: 'That no longer exists.',
  conflict: 'That cannot be done in the current state.',
  quota_exceeded: 'The quota is used up.',
  unauthorized: 'Your session has ended. Run `reelvault link` and open the link it prints.',
  forbidden: 'You are not allowed to do that.',
  internal: 'Something went wrong inside Reelvault. The details are in its log.',
  offline: 'Reelvault is not reachable. Is `reelvault serve` still running?',
};

/**
 * The key of the stock sentence an error carries when the server sent none
 * of its own (so the UI can show it in the user's language), if it does.
 */
export function stockDetail(e: ApiError): ErrorCode | 'too_large' | undefined {
  if (e.message === TOO_LARGE) return 'too_large';
  return e.message === FALLBACK_MESSAGES[e.code] ? e.code : undefined;
}

const TOO_LARGE = 'That is too large to send.';

/** Reads an error object of the shape {code, message, field?}, if s is one. */
function fromShape(v: unknown): ApiError | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (!isCode(o.code)) return undefined;
  const message = typeof o.message === 'string' && o.message ? o.message : FALLBACK_MESSAGES[o.code];
  return new ApiError(o.code, message, typeof o.field === 'string' ? o.field : undefined);
}

/**
 * Maps an HTTP error response to an ApiError. The server answers
 * {"error":{"code","message"}}; anything else falls back to the status.
 */
export function errorFromHttp(status: number, body: string): ApiError {
  try {
    const parsed: unknown = JSON.parse(body);
    const inner = typeof parsed === 'object' && parsed !== null ? (parsed as { error?: unknown }).error : undefined;
    const e = fromShape(inner) ?? fromShape(parsed);
    if (e) return e;
  } catch {
    // Not JSON: a proxy page or an empty body; use the status.
  }
  const code = STATUS_CODES[status] ?? 'internal';
  return new ApiError(code, status === 413 ? TOO_LARGE : FALLBACK_MESSAGES[code]);
}

/**
 * Maps the rejection of a Wails bound method to an ApiError. The window's
 * error formatter sends {code, message}; an unformatted Go error arrives as
 * its Error() string, which for domain errors reads "code: message".
 */
export function errorFromWails(reason: unknown): ApiError {
  if (reason instanceof ApiError) return reason;
  const shaped = fromShape(reason);
  if (shaped) return shaped;
  const text = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : '';
  if (text) {
    try {
      const parsed = fromShape(JSON.parse(text));
      if (parsed) return parsed;
    } catch {
      // Not JSON; try the "code: message" form.
    }
    const m = /^([a-z_]+): (.+)$/s.exec(text);
    if (m && isCode(m[1])) return new ApiError(m[1], m[2] ?? FALLBACK_MESSAGES[m[1]]);
  }
  return new ApiError('internal', FALLBACK_MESSAGES.internal);
}

/** Maps anything thrown to an ApiError, for display. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof TypeError) return new ApiError('offline', FALLBACK_MESSAGES.offline);
  return errorFromWails(e);
}
