// The exam page's requests, on session.js's api(): it tells a lost network (keep the save queued and
// retry) apart from the server's refusal (show it, drop the save).
import { api, ApiError } from "../session.js";

/** The request never got an answer (offline, connection reset, server unreachable, timed out). */
export class NetworkError extends Error {}

/** The server answered with an error status; `message` is its message for people. */
export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** JSON in, JSON out; throws NetworkError or HttpError. */
export async function request(path, options = {}) {
  try {
    return await api(path, options);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 0) throw new NetworkError(error.message);
    throw new HttpError(error.status, error.message);
  }
}

/** Whether a failed request should stay queued and be tried again. */
export function isRetryable(error) {
  if (error instanceof NetworkError) return true;
  return error instanceof HttpError && (error.status >= 500 || [401, 408, 429].includes(error.status));
}

/** Whether the failure means the connection (or the server) is down, rather than a refusal. */
export function isConnectionProblem(error) {
  return error instanceof NetworkError || (error instanceof HttpError && error.status >= 500);
}
