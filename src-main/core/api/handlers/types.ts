import type { SafekeepResults } from '../../../../src-shared/contract/handlers';
import type { HandlerName, ParsedArgsOf } from '../../../../src-shared/contract/schemas';

/** The core's implementation of the contract: arguments arrive validated by the bridge (the contract's zod schemas). */
export type CoreHandlers = { [K in HandlerName]: (args: ParsedArgsOf<K>) => Promise<SafekeepResults[K]> | SafekeepResults[K] };

/** The handlers whose names start with `prefix` (one domain's part of the map). */
export type DomainHandlers<Prefix extends string> = Pick<CoreHandlers, Extract<HandlerName, `${Prefix}${string}`>>;
