import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
const pngSize = (file: string) => {
  const png = fs.readFileSync(file);
  expect(png.subarray(1, 4).toString('latin1'), file).toBe('PNG');
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
};

/** The keys of the [Desktop Entry] group. */
function desktopEntry(file: string): Map<string, string> {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  expect(lines[0]).toBe('[Desktop Entry]');
  return new Map(lines.slice(1).filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('resources/: the application icon and the desktop entry', () => {
  it('has the icon as SVG and as a PNG of each size of the hicolor theme', () => {
    const svg = fs.readFileSync('resources/safekeep.svg', 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="0 0 512 512"/);
    for (const n of ICON_SIZES) expect(pngSize(`resources/icons/hicolor/${n}x${n}/apps/safekeep.png`)).toEqual([n, n]);
    // Nothing else in the theme folder: a size added by hand would not be rendered from the SVG.
    expect(fs.readdirSync('resources/icons/hicolor').sort()).toEqual(ICON_SIZES.map((n) => `${n}x${n}`).sort());
  });

  it('has a desktop entry that starts the app, named by its icon', () => {
    const e = desktopEntry('resources/safekeep.desktop');
    expect(e.get('Type')).toBe('Application');
    expect(e.get('Name')).toBe('Safekeep');
    expect(e.get('Icon')).toBe('safekeep');
    expect(e.get('Terminal')).toBe('false');
    expect(e.get('Categories')).toMatch(/^(\w+;)+$/);
    // Exec names a command of this package (npm link puts it on the PATH).
    const bin = JSON.parse(fs.readFileSync('package.json', 'utf8')).bin as Record<string, string>;
    const command = e.get('Exec')!.split(' ')[0]!;
    expect(Object.keys(bin)).toContain(command);
    expect(fs.readFileSync(path.resolve(bin[command]!), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });

  it('passes desktop-file-validate (Debian: desktop-file-utils, installed by .ci/run)', () => {
    // Throws with the validator's complaints (exit 1) if the entry breaks the specification.
    expect(execFileSync('desktop-file-validate', ['resources/safekeep.desktop'], { encoding: 'utf8' })).toBe('');
  });
});
