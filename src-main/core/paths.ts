import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Safekeep';

/** The platform's per-user application data folder, the same one Electron's app.getPath('userData') uses. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.SAFEKEEP_DATA) return env.SAFEKEEP_DATA;
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME);
}
