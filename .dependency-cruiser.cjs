// The project's layers and what each may import (npm run lint: depcruise). docs/ARCHITECTURE.md
// draws the same map.
//
//   features → steps/ → support/ → lib/, platform/
//                         └─ support/sandbox-target.ts → sandbox/exports.ts → sandbox/…  → lib/, platform/
//
// The sandbox is the default target, not a library of the suite: the suite reaches it through one
// module, and only through the sandbox's public entry. The sandbox never imports the suite, and
// its folders depend on one another in one direction only (no folder cycle).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'steps-not-to-sandbox',
      comment: 'Steps run on every target: they call support/, which asks the target for what differs.',
      severity: 'error',
      from: { path: '^steps/' },
      to: { path: '^sandbox/' },
    },
    {
      name: 'support-to-sandbox-only-via-the-sandbox-target',
      comment: 'Only support/sandbox-target.ts (the target that starts a sandbox) imports sandbox/.',
      severity: 'error',
      from: { path: '^support/', pathNot: '^support/sandbox-target[.]ts$' },
      to: { path: '^sandbox/' },
    },
    {
      name: 'sandbox-target-only-via-exports',
      comment: "The sandbox target imports the sandbox's public entry, sandbox/exports.ts, and nothing else of it.",
      severity: 'error',
      from: { path: '^support/sandbox-target[.]ts$' },
      to: { path: '^sandbox/', pathNot: '^sandbox/exports[.]ts$' },
    },
    {
      name: 'steps-not-to-steps',
      comment: 'A step file imports no other step file: what two of them share belongs in support/.',
      severity: 'error',
      from: { path: '^steps/' },
      to: { path: '^steps/' },
    },
    {
      name: 'sandbox-not-to-suite',
      comment: 'The sandbox serves any client (a reader, the suite): it never imports the suite.',
      severity: 'error',
      from: { path: '^sandbox/' },
      to: { path: '^(steps|support|features)/' },
    },
    {
      name: 'neutral-modules-below-everything',
      comment: 'lib/ and platform/ sit below both the suite and the sandbox, so neither needs the other for a path or a fact.',
      severity: 'error',
      from: { path: '^(lib|platform)/' },
      to: { path: '^(steps|support|sandbox|bin)/' },
    },
    {
      name: 'no-folder-cycle-in-sandbox',
      comment: "The sandbox's folders form layers (k8s → kube → runtime → cluster, karpenter; aws, tools): no two import each other, however indirectly.",
      severity: 'error',
      scope: 'folder',
      from: { path: '^sandbox/' },
      to: { path: '^sandbox/', circular: true },
    },
    {
      name: 'no-module-cycle-in-the-suite',
      comment: 'steps/ and support/ have no import cycle between modules.',
      severity: 'error',
      from: { path: '^(steps|support)/' },
      to: { path: '^(steps|support)/', circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count too: a type is as much a dependency of the layer as a value.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|test|bench)/' },
  },
}
