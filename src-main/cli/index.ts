import { runCli } from './main';

// The `safekeep` command (bin/safekeep.mjs loads the built copy of this file).
const code = await runCli(process.argv.slice(2));
process.exit(code);
