/** dcmjs ships its data dictionary as an untyped ES module (exports "./dictionary"). */
declare module 'dcmjs/dictionary' {
  export interface DictionaryEntry {
    tag: string;
    vr: string;
    name: string;
    vm: string;
    version: string;
  }
  /** Keyed "(GGGG,EEEE)" (upper-case hex) for standard tags, '(gggg,"CREATOR",ee)' for private ones. */
  const dictionary: Record<string, DictionaryEntry | undefined>;
  export default dictionary;
}
