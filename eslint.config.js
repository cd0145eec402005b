// Lint rules that hold the architecture: src/core is platform-free, and the UI talks to the engine
// only through its public API. A violation fails `npm test` (and so CI), not a review.
import tseslint from 'typescript-eslint';

// Matched as whole bare specifiers, so our own `../util/bytes.js` is not mistaken for Node's `util`.
const nodeBuiltins = '^(node:.*|(fs|path|os|net|dgram|http|https|http2|crypto|child_process|worker_threads|stream|events|buffer|url|util|zlib|tls|dns|readline|perf_hooks|v8|vm|cluster|process)(/.*)?)$';

export default tseslint.config(
  { ignores: ['build/**', 'dist/**', 'node_modules/**', 'sidecar/bin/**', '**/.work/**', 'test/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: nodeBuiltins, message: 'src/core is platform-free: Node modules belong in sidecar/.' },
          { group: ['**/browser/**', '**/ui/**', '**/sidecar/**', 'react', 'react-dom', 'react/*', 'idb-keyval', 'workbox-window'],
            message: 'src/core must not import browser, UI or sidecar code.' },
        ],
      }],
      'no-restricted-globals': ['error',
        ...['window', 'document', 'self', 'navigator', 'localStorage', 'indexedDB', 'fetch', 'WebSocket',
          'RTCPeerConnection', 'process', 'Buffer', 'require', 'setTimeout', 'setInterval', 'global', 'globalThis']
          .map((name) => ({ name, message: `src/core is platform-free and sans-I/O: ${name} belongs in a shell around it.` })),
      ],
    },
  },
  {
    files: ['src/ui/**/*.ts', 'src/ui/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/core/**', '!**/core/api', '!**/core/api/**', '**/browser/**', '!**/browser/client', '!**/browser/client/**', '**/sidecar/**'],
            message: 'The UI uses only the engine\'s public API (src/core/api) and its RPC client (src/browser/client).' },
        ],
      }],
    },
  },
);
