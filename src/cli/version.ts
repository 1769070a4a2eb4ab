/** midge's version, read once from package.json. */
import { readFileSync } from 'node:fs';

const packageJson = new URL('../../package.json', import.meta.url);

export const version: string = JSON.parse(readFileSync(packageJson, 'utf8')).version;
