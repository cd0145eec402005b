export { PiecePicker } from './piece-picker.js';
export { PickerError, type PickerErrorCode } from './errors.js';
export {
  DEFAULT_BLOCK_SIZE,
  DEFAULT_PRIORITY,
  MAX_PRIORITY,
  type BlockReceivedResult,
  type BlockReceivedStatus,
  type BlockRequest,
  type PeerBlock,
  type PeerView,
  type PickerOptions,
  type PieceFailedResult,
  type PieceSet,
} from './types.js';
