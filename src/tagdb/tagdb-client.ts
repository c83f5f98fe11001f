import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** carbon's timeout for a TagDB request (carbon/http.py), ms. */
export const TAGDB_TIMEOUT_MS = 5000;

/**
 * What carbon's TimeSeriesDatabase.tag does: POST the series as repeated `path` form fields to
 * `GRAPHITE_URL + '/tags/tagMultiSeries'`, multipart/form-data as urllib3 encodes `fields`. Resolves
 * on HTTP 200; rejects with carbon's messages otherwise ("Error requesting <url>: <error>",
 * "Error response <status> from <url>").
 */
export function tagMultiSeries(graphiteUrl: string, paths: readonly string[], timeoutMs = TAGDB_TIMEOUT_MS): Promise<void> {
  const url = `${graphiteUrl}/tags/tagMultiSeries`;
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (err) {
      reject(new Error(`Error requesting ${url}: ${(err as Error).message}`));
      return;
    }
    const { body, contentType } = multipartForm(paths.map((p) => ['path', p]));
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: 'POST', headers: { 'Content-Type': contentType, 'Content-Length': body.length }, timeout: timeoutMs });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', (err) => reject(new Error(`Error requesting ${url}: ${err.message}`)));
    req.on('response', (res) => {
      res.resume(); // the body (the tagged paths) is not needed
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`Error response ${res.statusCode} from ${url}`))));
      res.on('error', (err) => reject(new Error(`Error requesting ${url}: ${err.message}`)));
    });
    req.end(body);
  });
}

/** multipart/form-data of text fields, as urllib3's encode_multipart_formdata writes them. */
export function multipartForm(fields: readonly (readonly [name: string, value: string])[]): { body: Buffer; contentType: string } {
  const boundary = randomBytes(16).toString('hex');
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`, 'utf8'));
    parts.push(Buffer.from(value, 'utf8'));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
