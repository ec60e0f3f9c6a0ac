/**
 * In-process watch delivery. A watch the loopback transport injects would
 * otherwise pass every line through light-my-request's emulation of an
 * HTTP response (chunked framing, a Buffer copy, a Readable, then UTF-8
 * decoding again in the client): on a busy server that was 7 % of its CPU
 * for lines that never leave the process. The transport registers a sink
 * under a random id and names it in a request header; the watch server
 * writes lines straight into it. The response itself still carries the
 * status, the headers and the end of the stream.
 *
 * Only injected requests may use a sink, so a client on the network cannot
 * reach one even if it guessed an id.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export const LOOPBACK_STREAM_HEADER = 'x-skiff-loopback-stream';

export type LoopbackSink = (text: string) => void;

const sinks = new Map<string, LoopbackSink>();

/** Registers a sink; returns its id and the function that removes it. */
export function registerLoopbackSink(sink: LoopbackSink): { id: string; remove(): void } {
  const id = randomUUID();
  sinks.set(id, sink);
  return { id, remove: () => void sinks.delete(id) };
}

/** The sink an injected watch request names, if any. */
export function loopbackSinkFor(raw: ServerResponse, header: string | string[] | undefined): LoopbackSink | undefined {
  if (typeof header !== 'string' || (raw as { isLightMyRequest?: boolean }).isLightMyRequest !== true) return undefined;
  return sinks.get(header);
}
