// BEP 10 extensions: ut_metadata (BEP 9), ut_pex (BEP 11), lt_donthave (BEP 54).
export { ExtensionError } from './errors.js';
export type { ExtensionErrorCode } from './errors.js';
export { DEFAULT_LOCAL_EXTENSIONS, LT_DONTHAVE, UT_METADATA, UT_PEX } from './names.js';
export type { ExtensionName, LocalExtensionIds } from './names.js';
export { MetadataMessageType, decodeMetadataMessage, encodeMetadataHeader, encodeMetadataMessage } from './ut-metadata/codec.js';
export type { MetadataMessage } from './ut-metadata/codec.js';
export { MetadataAssembler } from './ut-metadata/assembler.js';
export type { MetadataAssemblerOptions } from './ut-metadata/assembler.js';
export { answerMetadataRequest } from './ut-metadata/responder.js';
export { verifyMetadata } from './ut-metadata/verify.js';
export type { ExpectedInfoHash } from './ut-metadata/verify.js';
export { MAX_METADATA_SIZE, METADATA_PIECE_SIZE, metadataPieceCount, metadataPieceLength } from './ut-metadata/limits.js';
export { MAX_INCOMING_PEX_PEERS, PexFlags, decodePexMessage, encodePexMessage } from './ut-pex/codec.js';
export type { PexAddress, PexMessage, PexPeer } from './ut-pex/codec.js';
export { PexState } from './ut-pex/pex-state.js';
export type { PexStateOptions } from './ut-pex/pex-state.js';
export { decodeDontHave, encodeDontHave } from './lt-donthave/codec.js';
