/**
 * Presentation contexts for C-STORE, built from the files' own SOP classes and transfer
 * syntaxes: one context per (SOP class, transfer syntax) so that the archive's answer is
 * per transfer syntax, plus Implicit VR Little Endian for SOP classes that have uncompressed
 * files (the one syntax every archive must accept, PS3.5 10.1), never for compressed ones:
 * their pixel data is sent as it is or not at all.
 */
import type { AcceptedContext, ProposedContext } from './requestor';
import { IMPLICIT_VR_LITTLE_ENDIAN } from './types';
import { UNCOMPRESSED_TRANSFER_SYNTAXES, sopClassName, transferSyntaxName } from './uid-names';

/** PS3.8 9.3.2.2: presentation context IDs are the odd numbers 1-255. */
export const MAX_CONTEXTS_PER_ASSOCIATION = 128;

export interface ContextNeed {
  sopClassUid: string;
  transferSyntaxUid: string;
}

export interface PlannedAssociation {
  contexts: ProposedContext[];
  /** Indexes into the planned items, in their original order. */
  items: number[];
}

function contextsForClass(sopClassUid: string, syntaxes: string[]): ProposedContext[] {
  const list = [...syntaxes];
  if (list.some((ts) => UNCOMPRESSED_TRANSFER_SYNTAXES.has(ts)) && !list.includes(IMPLICIT_VR_LITTLE_ENDIAN)) {
    list.push(IMPLICIT_VR_LITTLE_ENDIAN);
  }
  return list.map((ts) => ({ abstractSyntax: sopClassUid, transferSyntaxes: [ts] }));
}

/**
 * Groups the items into as few associations as the 128-context limit allows (one, unless the
 * items have more than 128 distinct SOP class / transfer syntax pairs); a SOP class keeps all its
 * contexts in one association.
 */
export function planStoreAssociations(items: readonly ContextNeed[], maxContexts = MAX_CONTEXTS_PER_ASSOCIATION): PlannedAssociation[] {
  const syntaxesByClass = new Map<string, string[]>();
  for (const it of items) {
    const list = syntaxesByClass.get(it.sopClassUid) ?? [];
    if (!list.includes(it.transferSyntaxUid)) list.push(it.transferSyntaxUid);
    syntaxesByClass.set(it.sopClassUid, list);
  }
  const plans: Array<{ contexts: ProposedContext[]; classes: Set<string> }> = [];
  let current: { contexts: ProposedContext[]; classes: Set<string> } | undefined;
  for (const [sopClass, syntaxes] of syntaxesByClass) {
    const contexts = contextsForClass(sopClass, syntaxes);
    // A class with more syntaxes than one association can carry is split (no real class has that many).
    for (let i = 0; i < contexts.length; i += maxContexts) {
      const part = contexts.slice(i, i + maxContexts);
      if (!current || current.contexts.length + part.length > maxContexts) {
        current = { contexts: [], classes: new Set() };
        plans.push(current);
      }
      current.contexts.push(...part);
      current.classes.add(sopClass);
    }
  }
  const planOfClass = new Map<string, number>();
  plans.forEach((p, i) => p.classes.forEach((c) => planOfClass.set(c, planOfClass.get(c) ?? i)));
  const out: PlannedAssociation[] = plans.map((p) => ({ contexts: p.contexts, items: [] }));
  items.forEach((it, i) => out[planOfClass.get(it.sopClassUid)!]!.items.push(i));
  return out.filter((p) => p.items.length > 0);
}

export type ContextChoice =
  | { kind: 'as-is'; context: AcceptedContext }
  /** An Explicit VR data set re-encoded into the context's Implicit VR Little Endian (implicit-vr.ts). */
  | { kind: 'convert'; context: AcceptedContext }
  | { kind: 'refused'; description: string };

/** Which accepted context carries a file of this SOP class and transfer syntax. */
export function chooseContext(accepted: readonly AcceptedContext[], need: ContextNeed): ContextChoice {
  const forClass = accepted.filter((c) => c.abstractSyntax === need.sopClassUid);
  const same = forClass.find((c) => c.transferSyntax === need.transferSyntaxUid);
  if (same) return { kind: 'as-is', context: same };
  if (UNCOMPRESSED_TRANSFER_SYNTAXES.has(need.transferSyntaxUid)) {
    const implicit = forClass.find((c) => c.transferSyntax === IMPLICIT_VR_LITTLE_ENDIAN);
    if (implicit) return { kind: 'convert', context: implicit };
  }
  return { kind: 'refused', description: refusedWords(need) };
}

/** "the archive does not accept SOP class X in transfer syntax Y" (naming the fallback too when one was proposed). */
export function refusedWords(need: ContextNeed): string {
  const fallback =
    UNCOMPRESSED_TRANSFER_SYNTAXES.has(need.transferSyntaxUid) && need.transferSyntaxUid !== IMPLICIT_VR_LITTLE_ENDIAN
      ? ` (nor in ${transferSyntaxName(IMPLICIT_VR_LITTLE_ENDIAN)})`
      : '';
  return `the archive does not accept SOP class ${sopClassName(need.sopClassUid)} in transfer syntax ${transferSyntaxName(need.transferSyntaxUid)}${fallback}`;
}
