/**
 * The one place that touches dcmjs-dimse (0.3.3) directly.
 *
 * dcmjs-dimse ships a UMD/CommonJS bundle: Node's ESM loader only exposes its `default`
 * export, so the classes are taken from the default import.
 *
 * Workarounds, found by reading build/dcmjs-dimse.min.js of 0.3.3:
 *
 * 1. Role selection from the requestor side. `Client.send()` builds its own Association;
 *    `Client.addAdditionalPresentationContext()` copies only the abstract and transfer
 *    syntaxes of the context it is given, never the SCU/SCP role flags. The PDU writer does
 *    support role selection (it writes an SCP/SCU Role Selection item, 54H, for each
 *    presentation context whose userRole/providerRole is set). So Safekeep does not use
 *    `Client` at all: it drives the library's `Network` class (the association state machine
 *    that `Client` and `Scp` are built on) with an Association it builds itself.
 *    `Network` is not exported by the package; it is reachable as the base class of the
 *    exported `Scp` (`Object.getPrototypeOf(Scp)`), which index.d.ts also declares
 *    (`class Scp extends Network`).
 * 2. `Client` does not forward A-ABORT ('abort' is emitted by Network but not re-emitted),
 *    and releases the association on a fixed timer after the last response
 *    (associationLingerTimeout); with Network directly Safekeep sees the abort and decides
 *    itself when to release (as soon as the N-EVENT-REPORT came, or after waitForReportMs).
 * 3. `Server.listen(port)` cannot bind a host and does not report the ephemeral port, so the
 *    listener owns its `net.Server` and constructs its `Scp` subclass per connection, like
 *    `Server` does (including `scp.connected = true`).
 * 4. The library's Network has its own timers (socket idle timeout = connectTimeout, PDU
 *    timeout, association timeout) that abort an idle association. They are set generously
 *    here and Safekeep keeps its own deadlines.
 * 5. Events go through async-event-emitter2. A listener declared with two parameters
 *    (request, callback) answers a DIMSE request by calling `callback(response)`; a request
 *    event nobody listens to makes the library fail with a networkError. PDUs are processed
 *    in async functions, so library events can come later than Node's own socket events:
 *    an A-ABORT followed by FIN shows up as socket 'close' first, 'abort' second (requestor.ts
 *    waits one macrotask before treating a close as the cause).
 *    Ordering across associations is not under anyone's control: Orthanc opens the
 *    association that carries its N-EVENT-REPORT while it is still finishing the N-ACTION,
 *    so the report can be handled before the SCU code has the N-ACTION-RSP.
 * 6. The library's logger (loglevel's root logger) logs everything by default, info and
 *    debug through console.info/console.log, i.e. to stdout (one line per PDU, about 1,300
 *    per commit). Its methods are replaced at load time so that every line goes to Safekeep's
 *    own log (src-main/core/log.ts: stderr or a file, at the chosen level), and so are those
 *    of the dcmjs copy it bundles.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import dcmjsDimse from 'dcmjs-dimse';
import { configureLog, logLine, type LogLevel } from '../log';

// Type-only view of the package's declarations (values come from the default import).
import type {
  Dataset as DatasetT,
  association as associationNs,
  requests as requestsNs,
  responses as responsesNs,
  Scp as ScpT,
} from 'dcmjs-dimse';

export const { Dataset, Scp, association, constants, requests, responses, log } = dcmjsDimse;

export type Dataset = DatasetT;
export type Association = associationNs.Association;
export type PresentationContext = associationNs.PresentationContext;
export type DimseRequest = requestsNs.Request;
export type DimseResponse = responsesNs.Response;
export type NActionRequest = requestsNs.NActionRequest;
export type NEventReportRequest = requestsNs.NEventReportRequest;
export type CEchoRequest = requestsNs.CEchoRequest;
export type ScpInstance = ScpT;

export interface NetworkOptions {
  connectTimeout?: number;
  associationTimeout?: number;
  pduTimeout?: number;
  logCommandDatasets?: boolean;
  logDatasets?: boolean;
}

export interface RejectInfo {
  result: number;
  source: number;
  reason: number;
}

export interface AbortInfo {
  source: number;
  reason: number;
}

/**
 * What Safekeep uses of dcmjs-dimse's (unexported) Network class: the requestor side of
 * the association state machine. Event listeners follow async-event-emitter2 rules (see top).
 */
export interface NetworkInstance {
  association?: Association;
  socket: Socket;
  sendAssociationRequest(association: Association): void;
  sendAssociationReleaseRequest(): void;
  sendAssociationReleaseResponse(): void;
  sendRequests(requests: DimseRequest | DimseRequest[]): void;
  sendAbort(source?: number, reason?: number): void;
  on(event: 'connect' | 'close' | 'done' | 'associationReleaseResponse' | 'associationReleaseRequested', listener: () => void): this;
  on(event: 'associationAccepted', listener: (association: Association) => void): this;
  on(event: 'associationRejected', listener: (reject: RejectInfo) => void): this;
  on(event: 'abort', listener: (abort: AbortInfo) => void): this;
  on(event: 'networkError', listener: (error: Error) => void): this;
  on(
    event: 'nEventReportRequest',
    listener: (request: NEventReportRequest, respond: (response: DimseResponse) => void) => void,
  ): this;
}

export type NetworkConstructor = new (socket: Socket, opts?: NetworkOptions) => NetworkInstance;

/** dcmjs-dimse's Network class (the base class of Scp; not exported by the package). */
export const Network = Object.getPrototypeOf(Scp) as NetworkConstructor;

if (typeof Network !== 'function' || typeof (Network.prototype as Partial<NetworkInstance>).sendAssociationRequest !== 'function') {
  throw new Error('dcmjs-dimse: Scp is no longer built on Network; src-main/core/dimse/lib.ts needs an update');
}

/** The part of loglevel's Logger that routing needs. */
interface LibraryLogger {
  methodFactory: (method: string, level: number, name: string | symbol) => (...args: unknown[]) => void;
  setLevel(level: 'trace', persist?: boolean): void;
  getLoggers?(): Record<string, LibraryLogger>;
}

/** Sends a loglevel logger (and its children) to Safekeep's log; the level is decided there. */
function routeLibraryLog(logger: LibraryLogger, source: string): void {
  for (const l of [logger, ...Object.values(logger.getLoggers?.() ?? {})]) {
    l.methodFactory = (method) => {
      const level = method === 'log' ? 'debug' : method === 'trace' || method === 'debug' || method === 'info' || method === 'warn' ? method : 'error';
      return (...args: unknown[]) => logLine(level, source, args);
    };
    l.setLevel('trace', false); // rebuilds the methods with the factory above
  }
}

routeLibraryLog(log as unknown as LibraryLogger, 'dcmjs-dimse');
try {
  const fromDimse = createRequire(createRequire(import.meta.url).resolve('dcmjs-dimse'));
  routeLibraryLog((fromDimse('dcmjs') as { log: LibraryLogger }).log, 'dcmjs');
} catch {
  // dcmjs not resolvable from dcmjs-dimse: its default (warnings to stderr) stays.
}

/** For tests and benches: the level of Safekeep's log, which the library's lines go through. */
export function setDimseLibraryLogLevel(level: LogLevel): void {
  configureLog({ level });
}

/** dcmjs naturalizes a one-item sequence either as an array or, in some versions, as the item itself. */
export function sequenceItems(value: unknown): Record<string, unknown>[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
  if (typeof value === 'object') return [value as Record<string, unknown>];
  return undefined;
}

/** A single string value (dcmjs may hand out a one-element array); trailing NUL/space padding removed. */
export function stringValue(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v !== 'string') return undefined;
  const trimmed = v.replace(/[\0 ]+$/, '');
  return trimmed;
}

export function numberValue(value: unknown): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}
