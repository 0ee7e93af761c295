import type { SafekeepEventName } from '../../../src-shared/contract/events';

/** Every event the core pushes, at run time (the contract only has them as a type). */
export const EVENT_NAMES = [
  'data-changed',
  'scan-progress',
  'dimse-listener-changed',
  'resend-progress',
  'compare-progress',
  'content-progress',
] as const satisfies readonly SafekeepEventName[];

// A new event in the contract must be added above (compile error otherwise).
type _AllListed = Exclude<SafekeepEventName, (typeof EVENT_NAMES)[number]> extends never ? true : never;
const _allListed: _AllListed = true;
void _allListed;

export function isEventName(s: string): s is SafekeepEventName {
  return (EVENT_NAMES as readonly string[]).includes(s);
}
