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
 * The notifier Lambda, bundled once at build time (`npm run build:notifier`, run by `npm ci`/`npm pack` through
 * "prepare" and before `npm test`), so synthesis needs neither esbuild nor Docker nor a lock file.
 */
export function notifierAssetDir(): string {
  const dir = join(packageRoot(), 'dist', 'notifier');
  if (!existsSync(join(dir, 'index.js'))) {
    throw new Error(`the notifier Lambda bundle is missing (${join(dir, 'index.js')}); run \`npm run build\` in ${packageRoot()}`);
  }
  return dir;
}

/**
 * The forwarder-liveness Lambda (recorder and watchdog, lib/liveness/handler.ts), bundled at build time like the
 * notifier (`npm run build:liveness`).
 */
export function livenessAssetDir(): string {
  const dir = join(packageRoot(), 'dist', 'liveness');
  if (!existsSync(join(dir, 'index.js'))) {
    throw new Error(`the liveness Lambda bundle is missing (${join(dir, 'index.js')}); run \`npm run build\` in ${packageRoot()}`);
  }
  return dir;
}
