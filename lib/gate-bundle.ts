/**
 * Builds one gate function's bundle: an entry composed from the plan (the gate's module and the
 * modules of the sources its config opens, registered with the thin gate handler) and bundled
 * with esbuild, so that each function carries only its gate, its sources and their clients.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import type { GateBundle } from './deployment-plan';

/** The handler module every gate entry registers its gate and sources with. */
const HANDLER_MODULE = join(__dirname, '..', 'lambda', 'handlers', `gate${__filename.endsWith('.ts') ? '.ts' : '.js'}`);

/** The entry of a gate's function: its gate and sources in a registry of their own, and the handler that runs them. */
export function bundleEntry(bundle: GateBundle): string {
  const req = (module: string) => `require(${JSON.stringify(module)})`;
  return [
    `const { Registry } = ${req(join(dirname(HANDLER_MODULE), '..', 'core', `registry${__filename.endsWith('.ts') ? '.ts' : '.js'}`))};`,
    `const { gateHandler } = ${req(HANDLER_MODULE)};`,
    `exports.handler = gateHandler(new Registry([${req(bundle.gate)}.gate], [${bundle.sources.map((s) => `${req(s)}.source`).join(', ')}]));`,
    '',
  ].join('\n');
}

/**
 * esbuild's options for a gate function: Node 20+ CommonJS, minified, with a source map;
 * everything bundled (the SDK that is tested is the SDK that is deployed) but pg's optional
 * native driver, which is never loaded.
 */
export function bundleOptions(bundle: GateBundle, outfile: string) {
  return {
    stdin: { contents: bundleEntry(bundle), resolveDir: dirname(HANDLER_MODULE), sourcefile: 'gate-entry.js', loader: 'js' as const },
    bundle: true,
    platform: 'node' as const,
    target: 'node20',
    format: 'cjs' as const,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: ['pg-native'],
    // ES module builds first (the AWS SDK's are tree-shaken): what NodejsFunction does, and smaller.
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'error' as const,
  };
}

/**
 * The function's code: bundled in this process with the local esbuild (a devDependency of the
 * app, as for NodejsFunction); skipped like every bundling asset when the stack is not bundled.
 */
export function gateCode(bundle: GateBundle): Code {
  return Code.fromAsset(join(__dirname, '..'), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('saas-readiness/no-docker-bundling'),
      // Part of CDK's bundling cache key (a function is not): one bundle per distinct entry.
      environment: { SAAS_READINESS_ENTRY: createHash('sha256').update(bundleEntry(bundle)).digest('hex') },
      local: {
        tryBundle(outputDir: string) {
          // Loaded only when a stack is bundled: a synth that skips bundling needs no esbuild.
          buildGateBundle(bundle, outputDir);
          return true;
        },
      },
    },
  });
}

/**
 * Builds a gate function's asset in `outDir`: `index.js` with the gate's own code, and each AWS SDK
 * package it requires bundled on its own under `node_modules/` (the lockfile's SDK, which Node finds
 * before the runtime's copy). A client is parsed only when the first run requires it, so loading
 * the function does not compile ~1 MB of SDK it may not use (issue 15: bundle load ≤ 1.5× a bare node).
 */
/** Where each SDK package was last bundled in this process (a gate's asset directory). */
const packageBundles = new Map<string, string>();

export function buildGateBundle(bundle: GateBundle, outDir: string): { packages: string[] } {
  // Loaded only when a stack is bundled: a synth that skips bundling needs no esbuild.
  const esbuild = require('esbuild') as typeof import('esbuild');
  const main = esbuild.buildSync({ ...bundleOptions(bundle, join(outDir, 'index.js')), external: ['pg-native', '@aws-sdk/*'], metafile: true });
  const packages = new Set<string>();
  for (const output of Object.values(main.metafile.outputs)) {
    for (const imported of output.imports) if (imported.external && imported.path.startsWith('@aws-sdk/')) packages.add(imported.path);
  }
  for (const name of packages) {
    const dir = join(outDir, 'node_modules', ...name.split('/'));
    mkdirSync(dir, { recursive: true });
    // Every gate of a synth requires the same few clients: each is built once per process and copied.
    const built = packageBundles.get(name);
    if (built && existsSync(built)) {
      cpSync(built, dir, { recursive: true });
      continue;
    }
    esbuild.buildSync({
      stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: join(__dirname, '..'), sourcefile: `${name}.js`, loader: 'js' },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: true,
      mainFields: ['module', 'main'],
      outfile: join(dir, 'index.js'),
      logLevel: 'error',
    });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, main: 'index.js', private: true })}\n`);
    packageBundles.set(name, dir);
  }
  return { packages: [...packages].sort() };
}
