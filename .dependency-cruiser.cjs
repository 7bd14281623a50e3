/**
 * The direction of dependencies, checked by `npm test` (dependency-cruiser): core knows no gate or
 * source, a gate knows no source and no other gate, a source knows no wiring, nothing in lambda/
 * knows the CDK code in lib/, and a deployed gate's handler never pulls in the whole registry.
 */
module.exports = {
  forbidden: [
    {
      name: 'core-knows-no-gate-or-source',
      comment: 'lambda/core receives the registry; it names no gate, source, handler or CLI.',
      severity: 'error',
      from: { path: '^lambda/core/' },
      to: { path: ['^lambda/(checks|sources|handlers|cli|sinks|hook)/', '^lambda/(gates|registry)\\.ts$', '^lib/'] },
    },
    {
      name: 'gate-knows-no-source',
      comment: 'A gate asks its context for a port by source name; it never imports an adapter, an SDK client or the wiring.',
      severity: 'error',
      from: { path: '^lambda/checks/' },
      to: { path: ['^lambda/(sources|handlers|cli|sinks|hook)/', '^lambda/(gates|registry)\\.ts$', '^lib/', '(^|/)node_modules/(@aws-sdk/|pg/|csv-parse/)'] },
    },
    {
      name: 'gate-knows-no-other-gate',
      comment: 'Each gate lives in its own folder; what gates share belongs in core.',
      severity: 'error',
      from: { path: '^lambda/checks/([^/]+)/' },
      to: { path: '^lambda/checks/', pathNot: '^lambda/checks/$1/' },
    },
    {
      name: 'source-knows-no-wiring',
      comment: 'A source adapts one backend to gate ports; it is registered, it does not register.',
      severity: 'error',
      from: { path: '^lambda/sources/' },
      to: { path: ['^lambda/(handlers|cli|sinks|hook)/', '^lambda/(gates|registry)\\.ts$', '^lib/'] },
    },
    {
      name: 'lambda-knows-no-cdk',
      comment: 'Code that runs against live systems never loads aws-cdk-lib or the constructs.',
      severity: 'error',
      from: { path: '^lambda/' },
      to: { path: ['^lib/', '(^|/)node_modules/(aws-cdk-lib|constructs|cdk-nag)/'] },
    },
    {
      name: 'gate-bundle-holds-one-gate',
      comment: 'A gate function is bundled from its own entry: its handler must not import every gate and source.',
      severity: 'error',
      from: { path: '^lambda/(handlers/gate|sinks/[^/]+)\\.ts$' },
      to: { path: ['^lambda/(gates|registry)\\.ts$', '^lambda/sources/index\\.ts$', '^lambda/checks/'] },
    },
    {
      name: 'no-circular',
      comment:
        'Cycles of code hide which module depends on which (type-only imports are erased; the rule pack and its SARIF writer use each other only at call time).',
      severity: 'error',
      from: { pathNot: '^lib/nag/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|cdk\\.out|test-output)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
