export { checkResume } from './check.js';
export type { ResumeCheck } from './check.js';
export { decodeResume, encodeResume, MAX_FILE_PRIORITY, MAX_RESUME_BYTES, MAX_RESUME_PEERS, RESUME_VERSION } from './resume-data.js';
export type { ResumeData } from './resume-data.js';
export { ResumeError, isResumeError } from './errors.js';
export type { ResumeErrorCode } from './errors.js';
