/**
 * Builds one gate function's bundle: an entry composed from the plan (the gate's module and the
 * modules of the sources its config opens, registered with the thin gate handler) and bundled
 * with esbuild, so that each function carries only its gate, its sources and their clients.
 */
import { createHash } from 'node:crypto';
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
          const esbuild = require('esbuild') as typeof import('esbuild');
          esbuild.buildSync(bundleOptions(bundle, join(outputDir, 'index.js')));
          return true;
        },
      },
    },
  });
}
