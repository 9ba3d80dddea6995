// @ts-check
// Fetching from the API, with one error type for its error shape
// ({"code","field","message"}).

export class ApiError extends Error {
  /**
   * @param {number} status the HTTP status; 0 when the network failed
   * @param {string} code the API's machine-readable code
   * @param {string} message
   * @param {string | null} [field] the parameter or field the server named as wrong
   * @param {any} [body] the whole error body, for answers with more (e.g. refused lines)
   */
  constructor(status, code, message, field = null, body = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.body = body;
  }
}

/**
 * The ApiError of a response that is not OK.
 * @param {Response} response
 */
export async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    /* not the API's error shape */
  }
  return new ApiError(
    response.status,
    (body && body.code) || `http_${response.status}`,
    (body && body.message) || `${response.status} ${response.statusText}`,
    (body && body.field) || null,
    body,
  );
}

/**
 * GETs `path`. Throws ApiError.
 * @param {string} path
 * @param {'json' | 'text' | 'arrayBuffer'} [as]
 * @returns {Promise<any>}
 */
export async function api(path, as = 'json') {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: as === 'json' ? 'application/json' : '*/*' } });
  } catch (error) {
    throw new ApiError(0, 'network', String(error && error.message ? error.message : error));
  }
  if (!response.ok) throw await errorOf(response);
  if (as === 'text') return response.text();
  if (as === 'arrayBuffer') return response.arrayBuffer();
  return response.json();
}
