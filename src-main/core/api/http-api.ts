import fs from 'node:fs';
import path from 'node:path';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import { serveStatic } from '@hono/node-server/serve-static';
import { AppError } from '../../../src-shared/contract/errors';
import { ArgSchemas, HOST_ONLY_HANDLERS, type HandlerName } from '../../../src-shared/contract/schemas';
import { asActor } from '../audit/actor';
import type { AuditTrail } from '../audit/trail';
import type { Clock } from '../scheduler';
import type { EventBus } from '../events';
import type { Authenticator } from '../origin/auth';
import { callHandler } from './call';
import { remoteAddressOf } from './guards/host-allowlist';
import { LoginThrottle, type LoginThrottleOptions } from './guards/login-throttle';
import { guardErrorResponse, unknownResource } from './guards/respond';
import { DEFAULT_MAX_UPLOAD_BYTES, receiveUpload } from './guards/upload';
import type { CoreHandlers } from './handlers';
import type { Sessions } from './sessions';

const COOKIE = 'sk_session';

/**
 * The Content-Security-Policy of the app's pages. The same policy is in src-renderer/index.html as a
 * <meta> tag, because pages loaded from file:// (Electron) get no HTTP headers; frame-ancestors only
 * works as a header, so the header adds it.
 */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";
export const APP_CSP = `${PAGE_CSP}; frame-ancestors 'none'`;

/** What a host may set for browser mode (`serve` flags; tests). */
export interface BrowserModeOptions {
  /** Limit of one upload request (413 above it). */
  maxUploadBytes?: number;
  loginThrottle?: LoginThrottleOptions;
}

export interface HttpApiOptions extends BrowserModeOptions {
  /** The built renderer (out/renderer); null serves the API only. */
  rendererDir: string | null;
  clock: Clock;
  audit: AuditTrail;
  handlers: CoreHandlers;
  /** What the core announces, relayed to the browser as server-sent events. */
  events: EventBus;
  auth: Authenticator;
  /** Browser sessions (kept in the store, so a restart does not log the browser out). */
  sessions: Sessions;
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

  // Over HTTPS (serve --tls-cert) the session cookie is never sent back over plain HTTP.
  const startSession = async (c: Context, client: string, tokenId: number | null) =>
    setCookie(c, COOKIE, await sessions.create(client, tokenId), { httpOnly: true, sameSite: 'Strict', path: '/', secure: new URL(c.req.url).protocol === 'https:' });

  // Wrong tokens and login codes are counted per client address (429 after too many).
  const throttle = new LoginThrottle(o.clock, o.loginThrottle, (address, outcome) =>
    o.audit.record({ event: 'login', outcome: 4, user: 'unknown', address, description: outcome }),
  ).middleware();
  const audit = (c: Context, event: 'login' | 'logout', user: string) => o.audit.record({ event, outcome: 0, user, address: remoteAddressOf(c) });
  app.use('/api/login', throttle);
  app.use('/login', throttle);

  app.post('/api/login', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { token?: unknown };
    if (typeof body.token !== 'string' || !body.token) throw new AppError('bad-request', 'Enter an access token');
    const { client, tokenId } = await auth.identify(`Bearer ${body.token}`);
    await startSession(c, client, tokenId);
    audit(c, 'login', client);
    return c.json({ ok: true, value: { client } });
  });

  app.get('/login', async (c) => {
    const client = sessions.redeem(c.req.query('code'));
    if (!client) return c.text('This login link is not valid any more. Log in with a token instead.', 401);
    await startSession(c, client, null);
    audit(c, 'login', client);
    return c.redirect('/', 302);
  });

  app.post('/api/logout', async (c) => {
    const client = await sessions.clientOf(getCookie(c, COOKIE));
    if (client) audit(c, 'logout', client);
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
    // The handlers' audit messages name this client and address.
    await asActor({ user: client, address: remoteAddressOf(c) }, next);
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
    // Files dropped on the browser window: streamed under the data folder, which becomes a library root.
    const value = await receiveUpload(c.req.raw, o.uploadDir, o.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES);
    return c.json({ ok: true, value });
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

  // An unknown API call or DICOMweb resource is 404, never the app's page.
  app.all('/api/*', unknownResource);
  app.all('/dicomweb/*', unknownResource);

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

  app.onError((err, c) => guardErrorResponse(c, err));
  return app as unknown as Hono;
}
