export { checkFromScratch, checkResume } from './check.js';
export type { DataOnDisk, ResumeCheck } from './check.js';
export { decodeResume, encodeResume, MAX_FILE_PRIORITY, MAX_LOCATION_BYTES, MAX_RESUME_BYTES, MAX_RESUME_PEERS, RESUME_VERSION } from './resume-data.js';
export type { ResumeData } from './resume-data.js';
export { ResumeError, isResumeError } from './errors.js';
export type { ResumeErrorCode } from './errors.js';
