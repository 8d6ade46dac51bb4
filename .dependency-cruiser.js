/**
 * Import rules (npm run lint): no cycles, and data flows one way:
 * cli -> workflows -> activities -> src, and inside src
 * analytics, export, stream -> dataset -> pipeline -> config -> catalog -> formats -> simulation -> runtime -> domain
 * (config validates inputs against the registries of formats and catalog sources; dataset is the one
 * way to read a run or a world).
 */
const layer = (name, mayImport) => ({
  name: `layer-${name}`,
  comment: `src/${name} may import only ${mayImport.map((l) => `src/${l}`).join(', ')}`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: `^src/(${[name, ...mayImport].join('|')})/` },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    layer('domain', []),
    layer('runtime', ['domain']),
    layer('simulation', ['domain', 'runtime']),
    layer('formats', ['domain', 'runtime', 'simulation']),
    layer('catalog', ['domain', 'runtime', 'simulation', 'formats']),
    layer('config', ['domain', 'runtime', 'simulation', 'formats', 'catalog']),
    layer('pipeline', ['domain', 'config', 'runtime', 'simulation', 'formats', 'catalog']),
    layer('dataset', ['domain', 'config', 'runtime', 'simulation', 'formats', 'catalog', 'pipeline']),
    layer('analytics', ['domain', 'config', 'runtime', 'simulation', 'formats', 'catalog', 'pipeline', 'dataset']),
    layer('export', ['domain', 'config', 'runtime', 'simulation', 'formats', 'catalog', 'pipeline', 'dataset']),
    layer('stream', ['domain', 'config', 'runtime', 'simulation', 'formats', 'catalog', 'pipeline', 'dataset']),
    {
      name: 'src-below-temporal',
      comment: 'src/ knows nothing of Temporal, the workflows, activities or the CLI',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(workflows|activities|cli|bench|test)/|node_modules/@temporalio/' },
    },
    {
      name: 'activities-below-workflows',
      severity: 'error',
      from: { path: '^activities/' },
      to: { path: '^(workflows|cli|bench|test)/' },
    },
    {
      name: 'workflows-deterministic',
      comment: 'workflows run in the sandbox: values only from @temporalio/workflow and other workflow files; anything else as types',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { pathNot: '^workflows/|node_modules/@temporalio/workflow/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflows-below-cli',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^(cli|bench|test)/' },
    },
    {
      name: 'clients-use-contracts',
      comment: 'the CLI talks to workflows through workflows/contracts.ts only',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^workflows/', pathNot: '^workflows/contracts\\.ts$' },
    },
    {
      name: 'production-not-test',
      severity: 'error',
      from: { path: '^(src|activities|workflows|cli|bench)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.check.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
