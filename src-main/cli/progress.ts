/** A single progress line on a terminal (stderr); silent when not a TTY or when quiet. */
export class Progress {
  readonly enabled: boolean;
  private last = 0;
  private shown = false;

  constructor(quiet: boolean, private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = !quiet && stream.isTTY === true;
  }

  /** Shows the first of `lines` that fits the terminal (longest first), else the last one cut to fit. */
  update(lines: string | readonly string[], force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const width = (this.stream.columns || 100) - 1;
    const choices = typeof lines === 'string' ? [lines] : lines;
    const line = choices.find((l) => l.length <= width) ?? choices[choices.length - 1]!.slice(0, width);
    // \x1b[K clears what a longer previous line left behind.
    this.stream.write(`\r${line}\x1b[K`);
    this.shown = true;
  }

  done(): void {
    if (this.enabled && this.shown) this.stream.write('\n');
    this.shown = false;
  }
}
