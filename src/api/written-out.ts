// Responses written out before they wait. A read waits for its audit entry before it is sent; a
// response held meanwhile as the value it came from (a case, a page of tasks: thousands of small
// objects), or as the serializer's text (thousands of joined pieces), is copied by the garbage
// collector at each collection of young objects while it waits. As UTF-8 bytes it is one object
// outside the JavaScript heap, and it would have been encoded so to be sent anyway.
import type { FastifyReply } from 'fastify';

/** `value` written out by the route's response schema, as UTF-8 bytes. */
export function writtenOut(reply: FastifyReply, value: unknown): Buffer {
  return Buffer.from(reply.serialize(value) as string);
}

/**
 * An object written out by the route's response schema, with a last member whose value is JSON
 * text already (as the database wrote it) appended as it is: the text is not parsed into objects
 * only to be written out again. For a schema that takes any member (the text is not checked).
 */
export function writtenOutWithJson(reply: FastifyReply, value: object, key: string, json: string): Buffer {
  const text = reply.serialize(value) as string;
  const open = text.length > 2 ? text.slice(0, -1) + ',' : '{';
  return Buffer.from(`${open}${JSON.stringify(key)}:${json}}`);
}

/** Sends a body from `writtenOut` as it is: JSON already, checked by the route's schema. */
export function sendWrittenOut(reply: FastifyReply, body: Buffer): Buffer {
  reply.type('application/json; charset=utf-8');
  return body;
}
