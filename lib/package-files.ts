/**
 * Files that ship with the package, found the same way whether this code runs from the sources (lib/, through tsx)
 * or compiled (dist/lib/, from a clone or from node_modules/breakglass): walk up to the package's own package.json.
 * Nothing here depends on the working directory, so `breakglass synth` works from anywhere.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'breakglass';

let cachedRoot: string | undefined;

export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
      cachedRoot = dir;
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package.json above ${__dirname}`);
  }
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * A Lambda bundled once at build time (`npm run build`, run by `npm ci`/`npm pack` through "prepare" and before
 * `npm test`): `notifier` (lib/notify/handler.ts, build:notifier) or `liveness` (lib/liveness/handler.ts,
 * build:liveness). Synthesis only hashes and copies it, so it needs neither esbuild nor Docker nor a lock file.
 */
export function lambdaAssetDir(name: 'notifier' | 'liveness'): string {
  const dir = join(packageRoot(), 'dist', name);
  if (!existsSync(join(dir, 'index.js'))) {
    throw new Error(`the ${name} Lambda bundle is missing (${join(dir, 'index.js')}); run \`npm run build\` in ${packageRoot()}`);
  }
  return dir;
}
