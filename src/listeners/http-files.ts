/**
 * Static files for a websockets listener's http_dir: GET and HEAD of
 * plain files under that folder, `index.html` for a folder.
 *
 * Nothing outside http_dir is ever served: the URL path is decoded once,
 * refused if it holds a NUL, a backslash or a part starting with "."
 * (hidden files, ".."), resolved against the folder, and the file's real
 * path (symbolic links followed) must still lie inside the folder's real
 * path.
 */
import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

export class StaticFiles {
  readonly #root: string;

  /** Throws if `dir` is not a folder midge can read. */
  constructor(dir: string) {
    this.#root = folderPath(dir);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(res, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
      return;
    }
    const file = this.resolve(req.url ?? '/');
    if (file === undefined) {
      reply(res, 404, 'Not Found');
      return;
    }
    const size = statSync(file).size;
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': size,
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  /** The file a URL names, or undefined if none may be served. */
  resolve(url: string): string | undefined {
    const path = decodedPath(url);
    if (path === undefined) return undefined;
    const candidate = resolve(this.#root, `.${path}`);
    if (!this.#inside(candidate)) return undefined;
    try {
      let real = realpathSync(candidate);
      if (statSync(real).isDirectory()) real = realpathSync(join(real, 'index.html'));
      return this.#inside(real) && statSync(real).isFile() ? real : undefined;
    } catch {
      return undefined;
    }
  }

  #inside(path: string): boolean {
    return path === this.#root || path.startsWith(this.#root + sep);
  }
}

/** The real path of a folder, or an error naming http_dir. */
function folderPath(dir: string): string {
  let code: string | undefined = 'ENOTDIR';
  try {
    const real = realpathSync(dir);
    if (statSync(real).isDirectory()) return real;
  } catch (error) {
    code = (error as NodeJS.ErrnoException).code;
  }
  throw new Error(`Unable to use http_dir "${dir}": ${code ?? 'error'}.`);
}

/** The URL's path, percent-decoded once; undefined if unusable. */
function decodedPath(url: string): string | undefined {
  const raw = url.split(/[?#]/, 1)[0]!;
  if (!raw.startsWith('/')) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (/[\0\\]/.test(path)) return undefined;
  // Hidden files and folders (".git", ".env", and ".." too) are not served.
  return path.split('/').some((part) => part.startsWith('.')) ? undefined : path;
}

function reply(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text) + 1,
    ...headers,
  });
  res.end(`${text}\n`);
}

export { reply as httpReply };
