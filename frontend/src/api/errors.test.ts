import { describe, expect, it } from 'vitest';
import { ApiError, errorFromHttp, errorFromWails, stockDetail, toApiError } from './errors';

describe('errorFromHttp', () => {
  it('reads the server error body', () => {
    const e = errorFromHttp(400, '{"error":{"code":"invalid","message":"prompt is required.","field":"prompt"}}');
    expect(e).toBeInstanceOf(ApiError);
    expect([e.code, e.message, e.field]).toEqual(['invalid', 'prompt is required.', 'prompt']);
  });

  it.each([
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [409, 'conflict'],
    [413, 'invalid'],
    [429, 'quota_exceeded'],
    [500, 'internal'],
    [502, 'internal'],
  ])('falls back to the status %i when the body is not an error', (status, code) => {
    const e = errorFromHttp(status, '<html>Bad Gateway</html>');
    expect(e.code).toBe(code);
    expect(e.message).toMatch(/\w+.*\./);
    expect(e.message).not.toContain('html');
  });

  it('ignores an unknown code in the body', () => {
    expect(errorFromHttp(409, '{"error":{"code":"weird","message":"x"}}').code).toBe('conflict');
  });
});

describe('errorFromWails', () => {
  it('reads the formatted {code, message} object', () => {
    const e = errorFromWails({ code: 'not_found', message: 'Task abc not found.' });
    expect([e.code, e.message]).toEqual(['not_found', 'Task abc not found.']);
  });

  it('reads a JSON string', () => {
    expect(errorFromWails('{"code":"conflict","message":"Already completed."}').message).toBe('Already completed.');
  });

  it('reads a Go domain error string "code: message"', () => {
    const e = errorFromWails('quota_exceeded: User ann has used all 3 of its quota.');
    expect([e.code, e.message]).toEqual(['quota_exceeded', 'User ann has used all 3 of its quota.']);
  });

  it('hides anything else behind a generic internal error', () => {
    const e = errorFromWails('open /home/x/db: permission denied');
    expect(e.code).toBe('internal');
    expect(e.message).not.toContain('/home');
  });
});

describe('toApiError', () => {
  it('maps a network failure to offline', () => {
    expect(toApiError(new TypeError('Failed to fetch')).code).toBe('offline');
  });

  it('keeps an ApiError as it is', () => {
    const e = new ApiError('forbidden', 'No.');
    expect(toApiError(e)).toBe(e);
  });
});

describe('stockDetail', () => {
  it('names the stock sentence so the UI can show it translated, and keeps the server’s own', () => {
    expect(stockDetail(errorFromHttp(404, ''))).toBe('not_found');
    expect(stockDetail(errorFromHttp(413, ''))).toBe('too_large');
    expect(stockDetail(toApiError(new TypeError('fetch failed')))).toBe('offline');
    expect(stockDetail(errorFromHttp(400, '{"error":{"code":"invalid","message":"username: must be 1-64 characters"}}'))).toBeUndefined();
  });
});
