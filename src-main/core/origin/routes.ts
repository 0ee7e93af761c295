import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../../src-shared/contract/errors';
import { parseCommitmentRequest } from '../codec/request-json';
import { buildCommitmentResponse, commitmentResponseJsonText } from '../codec/response-json';
import { PayloadError } from '../codec/payload-error';
import { describeUidProblem, uidProblem } from '../../../src-shared/dicom/uid';
import { sleep, type Scheduler } from '../scheduler';
import { formatOfContentType, MEDIA_TYPE, negotiateAccept, type PayloadFormat } from '../codec/media';
import { buildNativeXml, parseNativeXml } from '../codec/native-xml';
import type { IncomingStore } from '../store/ports';
import type { Authenticator } from './auth';
import type { OriginConfig } from '../incoming/config';
import type { IncomingIntake } from '../incoming/intake';
import { problemResponse } from './problem';
import { payloadText } from './payload-text';
import type { IncomingProcessor } from '../incoming/processor';

export interface OriginDeps {
  incoming: IncomingStore;
  /** Takes in a POST (the rules every commitment request goes through, whichever the protocol). */
  intake: IncomingIntake;
  processor: IncomingProcessor;
  auth: Authenticator;
  config: () => OriginConfig;
  /** The sync window's wait. */
  scheduler: Scheduler;
}

type Env = { Variables: { client: string; responseFormat: PayloadFormat; bodyFormat: PayloadFormat } };

export const COMMITMENT_PATH = '/dicomweb/commitment-requests/:transactionUID';

/**
 * The DICOMweb Storage Commitment origin server (PS3.18 §13; Safekeep's decisions in spec §11):
 * POST a commitment request, GET its result (Result Check).
 */
export function originRoutes(deps: OriginDeps): Hono<Env> {
  const app = new Hono<Env>();

  app.use(COMMITMENT_PATH, async (c, next) => {
    c.set('client', await deps.auth.authenticate(c.req.header('authorization')));
    await next();
  });

  app.post(
    COMMITMENT_PATH,
    async (c, next) => {
      // Cheap checks first, before reading a possibly large body.
      c.set('responseFormat', negotiateAccept(c.req.header('accept')));
      c.set('bodyFormat', formatOfContentType(c.req.header('content-type')));
      await next();
    },
    (c, next) =>
      bodyLimit({
        maxSize: deps.config().maxBodyBytes,
        onError: () => {
          throw new AppError('payload-too-large', `The request body is larger than ${deps.config().maxBodyBytes} bytes`, {
            dicomStatus: 0xa700,
          });
        },
      })(c, next),
    async (c) => {
      const responseFormat = c.get('responseFormat');
      const bodyFormat = c.get('bodyFormat');
      const uid = pathUid(c);
      const request = parseCommitmentRequest(parseBody(payloadText(await c.req.arrayBuffer(), c.req.header('content-type'), bodyFormat), bodyFormat));

      const { done } = await deps.intake.take({
        transactionUid: uid,
        source: 'dicomweb',
        client: c.get('client'),
        requester: requesterOf(c),
        mediaType: MEDIA_TYPE[bodyFormat],
        instances: request.instances,
      });
      const config = deps.config();
      // A sync window of 0 answers at once (202 while Working), never by a race with the processing.
      if (config.syncWindowMs > 0) await Promise.race([done, sleep(deps.scheduler, config.syncWindowMs)]);
      return answer(c, uid, responseFormat);
    },
  );

  app.get(COMMITMENT_PATH, async (c) => {
    const responseFormat = negotiateAccept(c.req.header('accept'));
    const uid = pathUid(c);
    const tx = await deps.incoming.get(uid);
    // Another client's transaction is answered exactly like an unknown one (spec §11).
    if (!tx || tx.client !== c.get('client')) {
      throw new AppError('not-found', `No commitment request with Transaction UID ${uid}`);
    }
    return answer(c, uid, responseFormat);
  });

  app.all(COMMITMENT_PATH, (c) => {
    c.header('Allow', 'GET, POST');
    return problemResponse(c, new AppError('method-not-allowed', `Method ${c.req.method} is not supported here; use POST or GET`));
  });

  async function answer(c: Context, uid: string, format: PayloadFormat): Promise<Response> {
    const tx = (await deps.incoming.get(uid))!;
    if (tx.state === 'expired') {
      throw new AppError('gone', `The result of transaction ${uid} was deleted after the retention period`);
    }
    if (tx.state === 'working') {
      c.header('Retry-After', String(await deps.processor.retryAfterSeconds(uid)));
      return c.body(null, 202);
    }
    const result = await deps.incoming.result(uid);
    const text = format === 'json' ? commitmentResponseJsonText(result) : buildNativeXml(buildCommitmentResponse(result));
    return c.body(text, 200, { 'Content-Type': `${MEDIA_TYPE[format]}${format === 'json' ? '' : '; charset=utf-8'}` });
  }

  app.onError((err, c) => problemResponse(c, err));
  app.notFound((c) => problemResponse(c, new AppError('not-found', `No resource at ${c.req.path}`)));
  return app;
}

function pathUid(c: Context): string {
  // Hono has decoded the parameter where it could; the request path guard has refused undecodable paths.
  const uid = c.req.param('transactionUID') ?? '';
  const problem = uidProblem(uid);
  if (problem) throw new PayloadError('Transaction UID in the path', `"${uid.slice(0, 80)}" ${describeUidProblem(problem)}`);
  return uid;
}

function parseBody(text: string, format: PayloadFormat): unknown {
  if (format === 'xml') return parseNativeXml(text);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PayloadError('', `The body is not valid JSON: ${(e as Error).message}`);
  }
}

function requesterOf(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string; remotePort?: number } } } | undefined)?.incoming;
  const s = incoming?.socket;
  return s?.remoteAddress ? `${s.remoteAddress}:${s.remotePort ?? ''}` : 'unknown';
}
