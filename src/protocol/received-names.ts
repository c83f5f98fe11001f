import { NameInterner } from './name-interner.js';

/**
 * Names received on any plaintext or pickle connection: a repeated name is handed out as the same
 * string whatever connection or protocol brings it, and its slot goes along in the batch's nameIds
 * (see NameInterner). One table for the process: the receivers are synchronous.
 */
export const receivedNames = new NameInterner();
