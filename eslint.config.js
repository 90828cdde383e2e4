import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Contexts talk through their public modules (see DESIGN.md and README's Layout): a file may
// not import another context's repositories (`*.repository.ts`) nor the folders listed here,
// which only the context's own files use. Tests are held to it too.
const CONTEXTS = ['api', 'cli', 'dev', 'outbox', 'relays', 'secrets', 'smtp', 'store', 'submission', 'tenants', 'webhooks'];
const PRIVATE_FOLDERS = {
  outbox: { sql: 'outbox/outbox.ts or one of its services' },
  relays: { presets: 'relays/settings/presets.ts' },
  smtp: { explanations: 'smtp/explanations.ts', 'flight-check': 'smtp/flight-check.ts' },
};
// Lower layers never import from higher ones (their tests may drive them with higher parts).
const LOWER_LAYERS = ['smtp', 'store', 'secrets'];
const HIGHER_LAYERS = ['api', 'cli', 'dev', 'outbox', 'relays', 'submission', 'tenants', 'webhooks'];

function privateOf(context) {
  return [
    {
      regex: `(^|/)${context}/(.+/)?[^/]+\\.repository\\.ts$`,
      message: `A repository is private to its context: use the public module of ${context}/ (add a function to it if needed).`,
    },
    ...Object.entries(PRIVATE_FOLDERS[context] ?? {}).map(([folder, entry]) => ({
      regex: `(^|/)${context}/(.+/)?${folder}/`,
      message: `${context}/ keeps its ${folder}/ folder to itself: use ${entry}.`,
    })),
  ];
}

function boundaries(self, extra = []) {
  const patterns = [...CONTEXTS.filter((c) => c !== self).flatMap(privateOf), ...extra];
  return { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] };
}

const contextBoundaries = [
  { files: ['src/*.ts'], rules: boundaries(null) },
  ...CONTEXTS.map((context) => ({ files: [`src/${context}/**/*.ts`], rules: boundaries(context) })),
  ...LOWER_LAYERS.map((context) => ({
    files: [`src/${context}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: boundaries(context, [
      {
        regex: `(^|/)(${HIGHER_LAYERS.join('|')})/|(^|/)relais\\.ts$`,
        message: `${context}/ is a lower layer: it never imports from ${HIGHER_LAYERS.join(', ')} or the composition root.`,
      },
    ]),
  })),
];

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', 'relais-data/', '.test-data/', 'docs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  ...contextBoundaries,
  {
    // The UI takes the server's contract as types only: `import type` is erased at build
    // time, so no server code enters the bundle (an inline `{ type X }` would leave an import).
    // The one exception is the glossary's constants (no imports of its own).
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+src/(?!glossary\\.ts$)',
              allowTypeImports: true,
              message: 'The UI may only `import type` from the server (see web/src/api-types.ts), or values from src/glossary.ts.',
            },
          ],
        },
      ],
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
);
