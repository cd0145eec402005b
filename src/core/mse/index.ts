export { EncryptedTransport } from './encrypted-transport.js';
export { MseError, type MseErrorCode } from './errors.js';
export { FallbackTransport } from './fallback-transport.js';
export {
  CRYPTO_PLAINTEXT,
  CRYPTO_RC4,
  MAX_INITIAL_PAYLOAD,
  MAX_PADDING,
  MseInitiator,
  MseResponder,
  type CryptoMethod,
  type MseHandshake,
  type MseInitiatorOptions,
  type MseResponderOptions,
  type MseResult,
  type MseStep,
} from './handshake.js';
export { cryptoSelect, dialWithPolicy, isPlaintextHandshake, speaksMse, type EncryptedDialOptions, type EncryptionPolicy } from './policy.js';
