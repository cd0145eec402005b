/**
 * What the Service Worker and the engine worker say over the MessagePort the page hands them both
 * (docs/streaming.md). The SW asks; the engine answers with the response's head, then one chunk per
 * pull, so the body moves only as fast as the player reads it. Chunk buffers are transferred.
 */

export type StreamRequest =
  /** A request for `/stream/<infoHash>/<fileNumber>/...` with its Range header. */
  | {
      readonly kind: 'open';
      readonly id: number;
      readonly infoHash: string;
      readonly fileNumber: number;
      readonly range: string | null;
      /** HEAD: the head only. */
      readonly headOnly: boolean;
      /**
       * Send the body's first chunk after the head without waiting for a pull (the SW's first pull
       * would come right after the head anyway: one round trip through the engine worker saved on
       * every range request). Optional so that an engine and a SW of different versions still agree:
       * the engine does it only when asked, and says so in the head (`firstFollows`).
       */
      readonly pushFirst?: boolean;
    }
  /** The SW's stream wants its next chunk. */
  | { readonly kind: 'pull'; readonly id: number }
  /** The reader went away (player seeked, tab closed): stop, and drop the stream's deadlines. */
  | { readonly kind: 'cancel'; readonly id: number };

export type StreamReply =
  | {
      readonly kind: 'head';
      readonly id: number;
      readonly status: 200 | 206 | 416;
      readonly headers: Readonly<Record<string, string>>;
      readonly hasBody: boolean;
      /** The body's first chunk follows unasked (the open said `pushFirst`): the SW does not pull for it. */
      readonly firstFollows?: boolean;
    }
  /**
   * The body's next bytes: `parts` in order, each a transferred buffer. The engine sends one (the pieces
   * verified so far, joined: see stream-responder.ts); a reader takes any number.
   */
  | { readonly kind: 'chunk'; readonly id: number; readonly parts: readonly ArrayBuffer[] }
  | { readonly kind: 'end'; readonly id: number }
  /** Before the head: the HTTP status to answer with; after it: the body fails. */
  | { readonly kind: 'fail'; readonly id: number; readonly status: number; readonly code: string; readonly message: string };

/** What the page and the SW say on the SW's own channel (`postMessage` / `client.postMessage`). */
export type ServiceWorkerMessage =
  /** SW → pages: I have no port to the engine; the tab running it, please hand me one. */
  | { readonly kind: 'sluice:need-stream-port' }
  /** Page → SW, with the port in `ports[0]`. */
  | { readonly kind: 'sluice:stream-port' };
