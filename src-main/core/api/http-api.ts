import fs from 'node:fs';
import path from 'node:path';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import { serveStatic } from '@hono/node-server/serve-static';
import { AppError, toAppError } from '../../../src-shared/contract/errors';
import { ArgSchemas, HOST_ONLY_HANDLERS, type HandlerName } from '../../../src-shared/contract/schemas';
import type { EventBus } from '../events';
import type { Authenticator } from '../origin/auth';
import { callHandler } from './call';
import type { CoreHandlers } from './handlers';
import type { Sessions } from './sessions';
import { log } from '../log';

const COOKIE = 'sk_session';

/**
 * The Content-Security-Policy of the app's pages. The same policy is in src-renderer/index.html as a
 * <meta> tag, because pages loaded from file:// (Electron) get no HTTP headers; frame-ancestors only
 * works as a header, so the header adds it.
 */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";
export const APP_CSP = `${PAGE_CSP}; frame-ancestors 'none'`;

export interface HttpApiOptions {
  handlers: CoreHandlers;
  /** What the core announces, relayed to the browser as server-sent events. */
  events: EventBus;
  auth: Authenticator;
  /** Browser sessions (kept in the store, so a restart does not log the browser out). */
  sessions: Sessions;
  /** The built renderer (out/renderer); null serves the API only. */
  rendererDir: string | null;
  /** Where browser uploads go (a library root is made of each upload). */
  uploadDir: string;
}

/**
 * Browser mode: the renderer's contract over HTTP (POST /api/<handler>) and
 * server-sent events (GET /api/events), behind the same authentication as the
 * origin server, plus the built renderer itself.
 */
export function httpApi(o: HttpApiOptions): Hono {
  const app = new Hono<{ Variables: { client: string } }>();
  const { auth, sessions } = o;

  const clientOf = async (c: Context): Promise<string | undefined> => {
    if (!auth.enabled) return 'anonymous';
    const fromCookie = await sessions.clientOf(getCookie(c, COOKIE));
    if (fromCookie) return fromCookie;
    // Scripts may use the API with a bearer token, like the origin server.
    const header = c.req.header('authorization');
    if (!header) return undefined;
    try {
      return await auth.authenticate(header);
    } catch {
      return undefined;
    }
  };

  const startSession = async (c: Context, client: string, tokenId: number | null) =>
    setCookie(c, COOKIE, await sessions.create(client, tokenId), { httpOnly: true, sameSite: 'Strict', path: '/', secure: false });

  app.post('/api/login', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { token?: unknown };
    if (typeof body.token !== 'string' || !body.token) throw new AppError('bad-request', 'Enter an access token');
    const { client, tokenId } = await auth.identify(`Bearer ${body.token}`);
    await startSession(c, client, tokenId);
    return c.json({ ok: true, value: { client } });
  });

  app.get('/login', async (c) => {
    const client = sessions.redeem(c.req.query('code'));
    if (!client) return c.text('This login link is not valid any more. Log in with a token instead.', 401);
    await startSession(c, client, null);
    return c.redirect('/', 302);
  });

  app.post('/api/logout', async (c) => {
    await sessions.end(getCookie(c, COOKIE));
    deleteCookie(c, COOKIE, { path: '/' });
    return c.json({ ok: true, value: {} });
  });

  app.get('/api/session', async (c) => {
    const client = await clientOf(c);
    return c.json({ ok: true, value: { authenticated: client !== undefined, client: client ?? null, authEnabled: auth.enabled } });
  });

  app.use('/api/*', async (c, next) => {
    const client = await clientOf(c);
    if (!client) throw new AppError('unauthorized', 'Log in first');
    c.set('client', client);
    await next();
  });

  app.get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      let closed = false;
      const off = o.events.onAny((name, payload) => {
        if (!closed) void stream.writeSSE({ event: name, data: JSON.stringify(payload) });
      });
      stream.onAbort(() => {
        closed = true;
        off();
      });
      await stream.writeSSE({ event: 'hello', data: '{}' });
      while (!closed) {
        await stream.sleep(15_000);
        if (!closed) await stream.writeSSE({ event: 'ping', data: '{}' });
      }
    }),
  );

  app.post('/api/upload', async (c) => {
    // Files dropped on the browser window: saved under the data folder, which becomes a library root.
    const form = await c.req.parseBody({ all: true });
    const files = ([] as unknown[]).concat(form['file'] ?? []).filter((f): f is File => f instanceof File);
    if (files.length === 0) throw new AppError('bad-request', 'No file in the upload');
    const batch = typeof form['batch'] === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(form['batch']) ? form['batch'] : `upload-${Date.now()}`;
    const dir = path.join(o.uploadDir, batch);
    let bytes = 0;
    for (const f of files) {
      // Keep the dropped folder structure, but never outside the upload folder.
      const rel = path.normalize(f.name).replace(/^(\.\.(\/|\\|$))+/, '').replace(/^[/\\]+/, '');
      const target = path.join(dir, rel || `file-${bytes}`);
      if (!target.startsWith(dir + path.sep)) throw new AppError('bad-request', `Invalid file name ${f.name}`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const buf = Buffer.from(await f.arrayBuffer());
      fs.writeFileSync(target, buf);
      bytes += buf.length;
    }
    return c.json({ ok: true, value: { folder: dir, files: files.length, bytes } });
  });

  app.post('/api/:name', async (c) => {
    const name = c.req.param('name') as HandlerName;
    if (!(name in ArgSchemas)) throw new AppError('not-found', `No API call "${name}"`);
    if (HOST_ONLY_HANDLERS.has(name)) throw new AppError('forbidden', `${name} writes files on the machine that runs Safekeep: use the CLI or the desktop app`);
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      // Also keeps other sites' plain form posts out (they cannot send JSON without a preflight).
      throw new AppError('unsupported-media-type', 'API calls take a JSON body (Content-Type: application/json)');
    }
    const raw = await c.req.json().catch(() => {
      throw new AppError('bad-request', 'The body is not valid JSON');
    });
    const value = await callHandler(o.handlers, name, raw);
    return c.json({ ok: true, value });
  });

  if (o.rendererDir && fs.existsSync(path.join(o.rendererDir, 'index.html'))) {
    const root = o.rendererDir;
    app.use('*', async (c, next) => {
      await next();
      if (!c.req.path.startsWith('/api/') && !c.req.path.startsWith('/dicomweb/')) {
        c.header('Content-Security-Policy', APP_CSP);
        c.header('X-Content-Type-Options', 'nosniff');
        c.header('Referrer-Policy', 'no-referrer');
      }
    });
    app.use('/assets/*', serveStatic({ root }));
    app.get('*', serveStatic({ root }));
    // The app is one page: any other path gets it (client-side navigation).
    app.get('*', (c) => c.html(fs.readFileSync(path.join(root, 'index.html'), 'utf8')));
  }

  app.onError((err, c) => {
    const e = toAppError(err);
    if (e.code === 'internal') log('api').error('internal error:', err);
    return c.json({ ok: false, error: e.toValue() }, e.httpStatus as 400);
  });
  return app as unknown as Hono;
}
